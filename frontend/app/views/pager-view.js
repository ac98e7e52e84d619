const View = require('./base/view');

// "1-20 of 25" and links to the previous and next pages, once the page is in.
module.exports = View.extend({
  template: require('../templates/pager'),

  listen: {
    'sync collection': 'render',
    'live:merged collection': 'render', // a live change (lib/live/follow.js)
  },

  drawsOnlyItsData: true, // the same page fetched again keeps its links (base/view.js)

  getTemplateData() {
    const list = this.collection;
    const {page} = list.query;
    const pages = list.pageCount();
    const first = (page - 1) * list.perPage;
    return {
      total: list.total,
      from: first + 1,
      to: first + list.length,
      page,
      pages,
      several: pages > 1 || page > 1,
      previous: page > 1 && list.path({page: Math.min(page - 1, pages)}),
      next: page < pages && list.path({page: page + 1}),
    };
  },
});
