const View = require('./base/view');

// "1-20 of 25" and links to the previous and next pages, once the page is in.
module.exports = View.extend({
  template: require('../templates/pager'),

  listen: {
    'sync collection': 'render',
  },

  getTemplateData() {
    const widgets = this.collection;
    const {page} = widgets.query;
    const pages = widgets.pageCount();
    const first = (page - 1) * widgets.perPage;
    return {
      total: widgets.total,
      from: first + 1,
      to: first + widgets.length,
      page,
      pages,
      previous: page > 1 && widgets.path({page: Math.min(page - 1, pages)}),
      next: page < pages && widgets.path({page: page + 1}),
    };
  },
});
