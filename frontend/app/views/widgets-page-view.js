const {utils} = require('chaplin');
const View = require('./base/view');
const WidgetListView = require('./widget-list-view');
const PagerView = require('./pager-view');
const Widgets = require('../models/widgets');

// The list page: search and sort form, the list, the pager. Its state lives
// in the URL, so searching or sorting navigates to a new URL.
module.exports = View.extend({
  template: require('../templates/widgets-page'),

  events: {
    'submit .list-controls': 'search',
    'change [name="sort"]': 'search',
  },

  getTemplateData() {
    const {q, sort} = this.collection.query;
    return {
      q,
      sorts: Widgets.SORTS.map(option => Object.assign({selected: option.value === sort}, option)),
    };
  },

  render() {
    View.prototype.render.call(this);
    this.subview(
      'list',
      new WidgetListView({
        collection: this.collection,
        container: this.el.querySelector('.list-region'),
      }),
    );
    this.subview(
      'pager',
      new PagerView({
        collection: this.collection,
        container: this.el.querySelector('.pager-region'),
      }),
    );
    return this;
  },

  search(event) {
    event.preventDefault();
    const changes = {
      q: this.el.querySelector('[name="q"]').value.trim(),
      sort: this.el.querySelector('[name="sort"]').value,
      page: 1,
    };
    const focus = event.type === 'change' ? 'sort' : 'q';
    utils.redirectTo({url: this.collection.path(changes)}, {focus});
  },
});
