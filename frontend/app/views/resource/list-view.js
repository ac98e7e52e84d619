const CollectionView = require('../base/collection-view');

// The items of one page, as the resource's item views; "Loading…" until
// the page is in, and the empty state if it has none. A failed fetch keeps
// the items shown (the site's banner says what failed, with Retry), or
// says that none could be loaded.
module.exports = CollectionView.extend({
  template: require('../../templates/resource/list'),
  listSelector: '.resource-list',
  loadingSelector: '.list-loading',
  fallbackSelector: '.list-empty',

  listen: {
    'error collection': 'failed',
    'syncing collection': 'recovered',
    'add collection': 'recovered',
  },

  failed() {
    this.el.querySelector('.list-failed').hidden = this.collection.length > 0;
  },

  recovered() {
    this.el.querySelector('.list-failed').hidden = true;
  },

  initialize(...args) {
    this.itemView = this.resource.views.item;
    CollectionView.prototype.initialize.apply(this, args);
  },

  getTemplateData() {
    return Object.assign(CollectionView.prototype.getTemplateData.call(this), {
      q: this.collection.query.q,
    });
  },
});
