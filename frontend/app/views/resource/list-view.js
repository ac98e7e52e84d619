const CollectionView = require('../base/collection-view');

// The items of one page, as the resource's item views; "Loading…" until
// the page is in, and the empty state if it has none.
module.exports = CollectionView.extend({
  template: require('../../templates/resource/list'),
  listSelector: '.resource-list',
  loadingSelector: '.list-loading',
  fallbackSelector: '.list-empty',

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
