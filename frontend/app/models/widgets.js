const {utils} = require('chaplin');
const Collection = require('./base/collection');
const Widget = require('./widget');

const SORTS = [
  {value: '-created_at', label: 'Newest first'},
  {value: 'created_at', label: 'Oldest first'},
  {value: '-updated_at', label: 'Recently updated'},
  {value: 'name', label: 'Name, A to Z'},
  {value: '-name', label: 'Name, Z to A'},
];
const DEFAULT_QUERY = {page: 1, sort: '-created_at', q: ''};

// The list's state comes from its URL's query string, which may say anything.
function cleanQuery(raw = {}) {
  const page = Number.parseInt(raw.page, 10);
  const sort = SORTS.some(option => option.value === raw.sort) ? raw.sort : DEFAULT_QUERY.sort;
  return {
    page: page >= 1 ? page : DEFAULT_QUERY.page,
    sort,
    q: typeof raw.q === 'string' ? raw.q.trim() : DEFAULT_QUERY.q,
  };
}

// The query string of the values that are not the default ones, written by
// Chaplin, which reads it back when routing.
function queryString(query) {
  const changed = {};
  for (const key of Object.keys(DEFAULT_QUERY)) {
    if (query[key] !== DEFAULT_QUERY[key]) changed[key] = query[key];
  }
  const string = utils.queryParams.stringify(changed);
  return string ? `?${string}` : '';
}

// One page of the user's widgets, as the list URL (/widgets?page=&sort=&q=)
// asks for it.
module.exports = Collection.extend(
  {
    model: Widget,
    perPage: 20,

    initialize(models, options = {}) {
      this.query = cleanQuery(options.query);
      this.total = 0;
    },

    url() {
      const params = new URLSearchParams({
        page: this.query.page,
        per_page: this.perPage,
        sort: this.query.sort,
      });
      if (this.query.q) params.set('q', this.query.q);
      return `/api/widgets?${params}`;
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

    // The app URL of this list with some of its query changed.
    path(changes = {}) {
      return `/widgets${queryString(Object.assign({}, this.query, changes))}`;
    },
  },
  {
    SORTS,
  },
);
