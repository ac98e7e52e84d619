const CollectionView = require('../base/collection-view');

// The items of one page, as the resource's item views; "Loading…" until
// the page is in, and the empty state if it has none. A failed fetch keeps
// the items shown (the site's banner says what failed, with Retry), or
// says that none could be loaded. While a fetch is in flight (a reload, a
// live reset) the list is aria-busy: screen readers wait for the new page
// instead of reading the old one as it changes.
module.exports = CollectionView.extend({
  template: require('../../templates/resource/list'),
  listSelector: '.resource-list',
  loadingSelector: '.list-loading',
  fallbackSelector: '.list-empty',

  listen: {
    'error collection': 'failed',
    'syncing collection': 'recovered',
    'add collection': 'recovered',
    'syncStateChange collection': 'busy',
  },

  failed() {
    this.el.querySelector('.list-failed').hidden = this.collection.length > 0;
  },

  recovered() {
    this.el.querySelector('.list-failed').hidden = true;
  },

  busy() {
    this.el.setAttribute('aria-busy', String(this.collection.isSyncing()));
  },

  initialize(...args) {
    this.itemView = this.resource.views.item;
    CollectionView.prototype.initialize.apply(this, args);
    this.busy();
  },

  getTemplateData() {
    return Object.assign(CollectionView.prototype.getTemplateData.call(this), {
      q: this.collection.query.q,
    });
  },
});
