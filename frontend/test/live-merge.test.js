// The merge rules of live changes (lib/live/merge.js), on events of exactly
// the format /api/events sends (CONTRACT.md, "Live changes").
const test = require('node:test');
const assert = require('node:assert/strict');
const {app} = require('./helpers');

const {mergeIntoPage, mergeIntoItem, comparator, matchesQuery} = app('lib/live/merge');

// Task n, created n minutes after midnight.
function task(n, changes = {}) {
  const minute = String(n).padStart(2, '0');
  return Object.assign(
    {
      _id: n.toString(16).padStart(24, '0'),
      title: `Task ${minute}`,
      done: false,
      created_at: `2026-12-01T00:${minute}:00.000000+00:00`,
      updated_at: `2026-12-01T00:${minute}:00.000000+00:00`,
      version: 1,
    },
    changes,
  );
}

function event(op, document, id = document._id) {
  return {resource: 'tasks', op, _id: id, document: op === 'delete' ? null : document};
}

// Page `page` of tasks sorted by `sort`, `items` being what it shows.
function page(items, changes = {}) {
  return Object.assign(
    {resource: 'tasks', searchField: 'title', q: '', sort: '-created_at', page: 1, perPage: 3},
    {total: items.length, items},
    changes,
  );
}

test('a change to another resource changes nothing', () => {
  const plan = mergeIntoPage(page([task(3)]), {...event('create', task(4)), resource: 'widgets'});
  assert.equal(plan.action, 'none');
  assert.equal(plan.total, 1);
  assert.ok(!plan.recount && !plan.fresh && !plan.stale);
});

test('an update to an item on the page replaces it in place', () => {
  const shown = [task(3), task(2), task(1)];
  const plan = mergeIntoPage(page(shown), event('update', task(2, {title: 'Renamed', version: 2})));
  assert.equal(plan.action, 'update');
  assert.equal(plan.index, 1);
  assert.equal(plan.at, 1);
  assert.equal(plan.document.title, 'Renamed');
  assert.equal(plan.total, 3);
  assert.ok(!plan.stale && !plan.recount);
});

test('an update that is not newer than what is shown is ignored (the own save echo)', () => {
  const shown = [task(3), task(2, {version: 2, title: 'Mine'})];
  for (const version of [1, 2]) {
    const plan = mergeIntoPage(page(shown), event('update', task(2, {version})));
    assert.equal(plan.action, 'none', `version ${version}`);
  }
});

test('an update moves the item to where the sort puts it on the page', () => {
  const shown = [task(1), task(2), task(3)];
  const renamed = task(1, {title: 'Task 99', version: 2});
  const plan = mergeIntoPage(page(shown, {sort: 'title'}), event('update', renamed));
  assert.equal(plan.action, 'update');
  assert.equal(plan.index, 0);
  assert.equal(plan.at, 2);
});

test('an update that sorts it onto another page keeps it in place and offers a reload', () => {
  const shown = [task(1), task(2), task(3)];
  const renamed = task(1, {title: 'Task 99', version: 2});
  const plan = mergeIntoPage(page(shown, {sort: 'title', total: 9}), event('update', renamed));
  assert.equal(plan.action, 'update');
  assert.equal(plan.at, 0);
  assert.equal(plan.stale, true);
  assert.equal(plan.total, 9);
});

test('an update that no longer matches the search removes it and lowers the total', () => {
  const shown = [task(3), task(2)];
  const plan = mergeIntoPage(
    page(shown, {q: 'task'}),
    event('update', task(2, {title: 'Chore', version: 2})),
  );
  assert.deepEqual([plan.action, plan.index, plan.total], ['remove', 1, 1]);
});

test('a delete of an item on the page removes it and lowers the total', () => {
  const shown = [task(5), task(4), task(3)];
  const plan = mergeIntoPage(page(shown, {total: 7}), event('delete', task(4)));
  assert.deepEqual([plan.action, plan.index, plan.total], ['remove', 1, 6]);
  assert.ok(!plan.recount);
});

test('a delete elsewhere asks for the total again, and on a later page may shift it', () => {
  const first = mergeIntoPage(
    page([task(9), task(8), task(7)], {total: 9}),
    event('delete', task(1)),
  );
  assert.deepEqual([first.action, first.recount, first.stale], ['none', true, false]);
  const later = mergeIntoPage(
    page([task(6), task(5), task(4)], {total: 9, page: 2}),
    event('delete', task(9)),
  );
  assert.deepEqual([later.action, later.recount, later.stale], ['none', true, true]);
});

test('a new item that sorts first on the first page is inserted at the top', () => {
  const shown = [task(3), task(2)];
  const plan = mergeIntoPage(page(shown), event('create', task(4)));
  assert.deepEqual([plan.action, plan.at, plan.total, plan.overflow], ['insert', 0, 3, false]);
});

test('a new item inserted on a full page pushes its last item to the next page', () => {
  const shown = [task(3), task(2), task(1)];
  const plan = mergeIntoPage(page(shown), event('create', task(4)));
  assert.deepEqual([plan.action, plan.at, plan.total, plan.overflow], ['insert', 0, 4, true]);
});

test('a new item is inserted in the order of the sort, ties broken by _id', () => {
  const shown = [task(1, {title: 'B'}), task(3, {title: 'C'}), task(5, {title: 'C'})];
  const plan = mergeIntoPage(
    page(shown, {sort: 'title', perPage: 10}),
    event('create', task(4, {title: 'C'})),
  );
  assert.deepEqual([plan.action, plan.at], ['insert', 2]);
  const descending = mergeIntoPage(
    page([...shown].reverse(), {sort: '-title', perPage: 10}),
    event('create', task(4, {title: 'C'})),
  );
  assert.deepEqual([descending.action, descending.at], ['insert', 1]);
});

test('a new item at the end of the last page is inserted there', () => {
  const shown = [task(3), task(2)];
  const plan = mergeIntoPage(page(shown, {sort: 'created_at'}), event('create', task(9)));
  assert.deepEqual([plan.action, plan.at, plan.total], ['insert', 2, 3]);
});

test('a new item that belongs on another page is counted and announced, not shown', () => {
  // Sorted by title, page 1 of 3: "Task 99" comes after this page's last item.
  const shown = [task(1), task(2), task(3)];
  const later = mergeIntoPage(
    page(shown, {sort: 'title', total: 9}),
    event('create', task(9, {title: 'Task 99'})),
  );
  assert.deepEqual([later.action, later.fresh, later.recount], ['none', 1, true]);

  // Newest first, page 2: the new item is on page 1, and shifts this page.
  const earlier = mergeIntoPage(
    page([task(6), task(5), task(4)], {page: 2, total: 9}),
    event('create', task(10)),
  );
  assert.deepEqual([earlier.action, earlier.fresh, earlier.recount], ['none', 1, true]);
});

test('a new item that does not match the search is not this list’s business', () => {
  const shown = [task(3), task(2)];
  const plan = mergeIntoPage(
    page(shown, {q: 'TASK 0'}),
    event('create', task(4, {title: 'Chore'})),
  );
  assert.equal(plan.action, 'none');
  assert.equal(plan.total, 2);
  assert.ok(!plan.fresh && !plan.recount);
});

test('the search matches a substring, whatever its case', () => {
  assert.ok(matchesQuery({title: 'Big Gear'}, 'g ge', 'title'));
  assert.ok(matchesQuery({title: 'Big Gear'}, 'BIG', 'title'));
  assert.ok(!matchesQuery({title: 'Big Gear'}, 'gears', 'title'));
  // Taken literally, never as a pattern.
  assert.ok(!matchesQuery({title: 'Big Gear'}, '.*', 'title'));
  assert.ok(matchesQuery({title: 'a.*b'}, '.*', 'title'));
  assert.ok(matchesQuery({title: 'anything'}, '', 'title'));
});

test('a create already on the page (fetched after the write) is not added twice', () => {
  const shown = [task(4), task(3)];
  const plan = mergeIntoPage(page(shown), event('create', task(4)));
  assert.equal(plan.action, 'none');
  assert.equal(plan.total, 2);
});

test('an update of an item elsewhere that now sorts onto this page offers a reload', () => {
  const shown = [task(3), task(2), task(1)];
  const touched = task(9, {updated_at: '2026-12-01T01:00:00.000000+00:00', version: 2});
  const plan = mergeIntoPage(
    page(shown, {sort: '-updated_at', total: 9}),
    event('update', touched),
  );
  assert.deepEqual([plan.action, plan.stale, plan.recount], ['none', true, false]);
  // The same update seen from a search: it may have just started to match.
  const searching = mergeIntoPage(
    page(shown, {sort: '-updated_at', total: 9, q: 'task'}),
    event('update', touched),
  );
  assert.deepEqual([searching.stale, searching.recount], [true, true]);
});

test('values sort as MongoDB sorts them: numbers, booleans, missing values, code points', () => {
  const byPriority = comparator('priority');
  const items = [{_id: 'c', priority: 3}, {_id: 'a'}, {_id: 'b', priority: 0}];
  assert.deepEqual(
    items.sort(byPriority).map(item => item._id),
    ['a', 'b', 'c'],
  );
  const byDone = comparator('-done');
  assert.ok(byDone({_id: 'a', done: true}, {_id: 'b', done: false}) < 0);
  // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
  const byTitle = comparator('title');
  assert.ok(byTitle({_id: 'a', title: '\uff5e'}, {_id: 'b', title: '\u{1f600}'}) < 0);
});

test('a detail page takes a newer version of its item, and its deletion', () => {
  const shown = task(2, {version: 3});
  assert.equal(mergeIntoItem('tasks', shown, event('update', task(2, {version: 4}))), 'update');
  assert.equal(mergeIntoItem('tasks', shown, event('update', task(2, {version: 3}))), 'none');
  assert.equal(mergeIntoItem('tasks', shown, event('delete', task(2))), 'delete');
});

test('a detail page ignores other items and other resources', () => {
  const shown = task(2);
  assert.equal(mergeIntoItem('tasks', shown, event('update', task(3, {version: 9}))), 'none');
  assert.equal(mergeIntoItem('tasks', shown, event('delete', task(3))), 'none');
  const other = {...event('update', task(2, {version: 9})), resource: 'widgets'};
  assert.equal(mergeIntoItem('tasks', shown, other), 'none');
});
