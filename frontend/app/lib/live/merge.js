// The merge rules of live changes: what an event from /api/events does to the
// page of a list, or to the one item a page shows. Pure functions of plain
// data (lib/live/follow.js applies their answers to Backbone objects), so
// that each rule is tested on its own (frontend/test/live-merge.test.js).
//
// An event: {resource, op: "create"|"update"|"delete", _id, document}.
// A page: {resource, searchField, q, sort, page, perPage, total, items},
// `items` being the attributes of the items shown, in order.

// The answer for a page: what to do to its items (`action`), its new
// `total`, whether the total can only be known by asking the server again
// (`recount`), and whether the page now misses a new item (`fresh`, a count)
// or may show an outdated selection (`stale`): both offer a reload.
function answer(page, changes = {}) {
  return Object.assign(
    {action: 'none', total: page.total, recount: false, fresh: 0, stale: false},
    changes,
  );
}

// MongoDB orders values of different types by type (null, numbers, strings,
// booleans); dates arrive as ISO strings of one format, which sort as text.
const TYPE_ORDER = {undefined: 0, object: 0, number: 1, string: 2, boolean: 3};

// MongoDB compares strings by their UTF-8 bytes, that is by code point; the
// `<` of JavaScript compares UTF-16 units, which differs past U+FFFF.
function compareStrings(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (a.length - i > 0) - (b.length - j > 0);
}

function compareValues(a, b) {
  const ta = TYPE_ORDER[typeof a] || 0;
  const tb = TYPE_ORDER[typeof b] || 0;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a === b || ta === 0) return 0;
  if (typeof a === 'string') return compareStrings(a, b);
  return a < b ? -1 : 1;
}

// The order of the API's `sort` ("name", "-created_at"): the field, then
// `_id` in the same direction, as the server breaks ties.
function comparator(sort) {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const sign = descending ? -1 : 1;
  return (a, b) => sign * (compareValues(a[field], b[field]) || compareValues(a._id, b._id));
}

// The API's `q`: a case-insensitive substring of the search field.
function matchesQuery(document, q, searchField) {
  if (!q || !searchField) return true;
  const value = document[searchField];
  return typeof value === 'string' && value.toLowerCase().includes(q.toLowerCase());
}

// Whether `document` is a later version than `shown`: a change the page has
// already (its own save's echo, or one a fetch brought) is no news.
function isNewer(document, shown) {
  return (document.version || 0) > (shown.version || 0);
}

// How many of the sorted `items` come before `document`.
function slot(items, document, compare) {
  const index = items.findIndex(item => compare(document, item) < 0);
  return index === -1 ? items.length : index;
}

// Whether a document sorting at `position` among `items` is on this page,
// rather than on an earlier one (before the first item of a page past the
// first) or a later one (after the last item, when more pages follow).
function onThisPage(page, items, position) {
  if (position === 0 && page.page > 1) return false;
  if (position < items.length) return true;
  const lastPage = page.page * page.perPage >= page.total;
  return items.length < page.perPage && lastPage;
}

function removed(page, index) {
  return answer(page, {action: 'remove', index, total: Math.max(0, page.total - 1)});
}

// A change to an item the page shows: it is updated where it belongs, or
// removed when it no longer matches the search.
function changeShown(page, event, index) {
  const document = event.document;
  if (!isNewer(document, page.items[index])) return answer(page);
  if (!matchesQuery(document, page.q, page.searchField)) return removed(page, index);
  const others = page.items.filter((item, i) => i !== index);
  const position = slot(others, document, comparator(page.sort));
  if (onThisPage(page, others, position)) {
    return answer(page, {action: 'update', index, at: position, document});
  }
  // It now sorts onto another page: updated where it is, rather than
  // vanishing under the user, and the page offers a reload.
  return answer(page, {action: 'update', index, at: index, document, stale: true});
}

// An item the page does not show. A fetch may or may not have counted it
// already (the page may have been fetched just after the write), so the
// total is asked again; a new item that belongs here is inserted, because a
// fetch that saw it would have shown it.
function changeOther(page, event) {
  const document = event.document;
  const searching = Boolean(page.q && page.searchField);
  if (!matchesQuery(document, page.q, page.searchField)) {
    // Not in this list now; it may have been before, if it was renamed.
    return answer(page, {recount: event.op === 'update' && searching});
  }
  const position = slot(page.items, document, comparator(page.sort));
  const here = onThisPage(page, page.items, position);
  if (event.op === 'create') {
    if (!here) return answer(page, {recount: true, fresh: 1});
    const overflow = page.items.length + 1 > page.perPage;
    return answer(page, {
      action: 'insert',
      at: position,
      document,
      overflow,
      total: page.total + 1,
    });
  }
  // An update that moves an item of another page onto this one.
  return answer(page, {recount: searching, stale: here});
}

// What `event` does to `page`.
function mergeIntoPage(page, event) {
  if (event.resource !== page.resource) return answer(page);
  const index = page.items.findIndex(item => item._id === event._id);
  if (event.op === 'delete') {
    if (index !== -1) return removed(page, index);
    // Deleted elsewhere in the list, or not in it at all: earlier pages may
    // have lost an item, which shifts this one.
    return answer(page, {recount: true, stale: page.page > 1});
  }
  if (!event.document) return answer(page);
  return index === -1 ? changeOther(page, event) : changeShown(page, event, index);
}

// What `event` does to a page showing one item, `shown` being its
// attributes: "update" (a later version), "delete", or "none".
function mergeIntoItem(resource, shown, event) {
  if (event.resource !== resource || event._id !== shown._id) return 'none';
  if (event.op === 'delete') return 'delete';
  return event.document && isNewer(event.document, shown) ? 'update' : 'none';
}

module.exports = {mergeIntoPage, mergeIntoItem, comparator, matchesQuery, isNewer};
