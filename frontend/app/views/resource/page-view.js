const {utils} = require('chaplin');
const View = require('../base/view');
const LiveNoticeView = require('../live-notice-view');

// A resource's list page: search and sort, the list, the pager. Its state
// lives in the URL, so searching or sorting navigates to a new URL.
module.exports = View.extend({
  template: require('../../templates/resource/page'),

  events: {
    'submit .list-controls': 'search',
    'change [name="sort"]': 'sortChanged',
    'keydown [name="sort"]': 'sortKey',
  },

  listen: {
    'sync collection': 'showControls',
    'update collection': 'showControls',
    'reset collection': 'showControls',
  },

  getTemplateData() {
    const {search, sorts} = this.resource.description;
    const {q, sort} = this.collection.query;
    return Object.assign(View.prototype.getTemplateData.call(this), {
      q,
      search,
      sorts: sorts.map(option => Object.assign({selected: option.value === sort}, option)),
    });
  },

  render() {
    View.prototype.render.call(this);
    const {list, pager} = this.resource.views;
    const region = selector => ({
      collection: this.collection,
      container: this.el.querySelector(selector),
    });
    this.subview('list', new list(region('.list-region')));
    this.subview('pager', new pager(region('.pager-region')));
    // "3 new widgets: Show", above the list (lib/live/follow.js).
    const notice = Object.assign(region('.list-region'), {containerMethod: 'before'});
    this.subview('live', new LiveNoticeView(Object.assign(notice, {labels: this.resource.labels})));
    this.showControls();
    return this;
  },

  // Search and sort are of no use while there is nothing to search or sort.
  showControls() {
    const list = this.collection;
    const nothing = list.isSynced() && list.length === 0 && !list.query.q && list.query.page === 1;
    this.el.querySelector('.list-controls').hidden = nothing;
  },

  // A sort chosen with the mouse applies at once; one chosen with the
  // arrow keys when the user commits it (Enter, or the form's button), not
  // at each key, which would fetch a page each time. Not on leaving the
  // menu: the new page would take the focus back from where the user went.
  sortKey(event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.applySort();
    } else if (event.key !== 'Tab') {
      this.keyedSort = true;
    }
  },

  sortChanged(event) {
    if (!this.keyedSort) this.search(event);
  },

  applySort() {
    this.keyedSort = false;
    const sort = this.el.querySelector('[name="sort"]');
    if (sort.value !== this.collection.query.sort)
      this.search({type: 'change', preventDefault() {}});
  },

  search(event) {
    event.preventDefault();
    const q = this.el.querySelector('[name="q"]');
    const changes = {
      q: q ? q.value.trim() : '',
      sort: this.el.querySelector('[name="sort"]').value,
      page: 1,
    };
    const focus = event.type === 'change' ? 'sort' : 'q';
    utils.redirectTo({url: this.collection.path(changes)}, {focus});
  },
});
