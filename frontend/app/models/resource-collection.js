const {utils} = require('chaplin');
const Collection = require('./base/collection');

// One page of a resource's items, as its list URL asks for it
// (/widgets?page=&sort=&q=). `ResourceCollection.describe(description, Model)`
// makes the class of one resource; the description says which sorts exist,
// the default one, whether the list can be searched, and the page size.
module.exports = Collection.extend(
  {
    initialize(models, options = {}) {
      this.perPage = this.description.page_size;
      this.query = this.cleanQuery(options.query);
      this.total = 0;
    },

    defaultQuery() {
      return {page: 1, sort: this.description.default_sort, q: ''};
    },

    // The list's state comes from its URL's query string, which may say anything.
    cleanQuery(raw = {}) {
      const defaults = this.defaultQuery();
      const {search, sorts} = this.description;
      const page = Number.parseInt(raw.page, 10);
      const known = sorts.some(option => option.value === raw.sort);
      return {
        page: page >= 1 ? page : defaults.page,
        sort: known ? raw.sort : defaults.sort,
        q: search && typeof raw.q === 'string' ? raw.q.trim() : defaults.q,
      };
    },

    url() {
      const params = new URLSearchParams({
        page: this.query.page,
        per_page: this.perPage,
        sort: this.query.sort,
      });
      if (this.query.q) params.set(this.description.search.param, this.query.q);
      return `${this.description.url}?${params}`;
    },

    // The API answers {"items", "page", "per_page", "total"}.
    parse(response) {
      this.total = response.total;
      this.perPage = response.per_page;
      return response.items;
    },

    pageCount() {
      return Math.max(1, Math.ceil(this.total / this.perPage));
    },

    // The app URL of this list with some of its query changed: only the
    // values that are not the defaults, written the way Chaplin reads them
    // back when routing (not URLSearchParams, which writes spaces as "+").
    path(changes = {}) {
      const query = Object.assign({}, this.query, changes);
      const defaults = this.defaultQuery();
      const changed = {};
      for (const key of Object.keys(defaults)) {
        if (query[key] !== defaults[key]) changed[key] = query[key];
      }
      const string = utils.queryParams.stringify(changed);
      return `/${this.description.name}${string ? `?${string}` : ''}`;
    },
  },
  {
    describe(description, model) {
      return this.extend({description, model});
    },
  },
);
