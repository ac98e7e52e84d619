const CollectionView = require('./base/collection-view');
const WidgetItemView = require('./widget-item-view');

module.exports = CollectionView.extend({
  itemView: WidgetItemView,
  template: require('../templates/widget-list'),
  listSelector: '.widget-list',
  loadingSelector: '.list-loading',
  fallbackSelector: '.list-empty',

  getTemplateData() {
    return {q: this.collection.query.q};
  },
});
