// Live changes applied to the generic resource classes (lib/live/follow.js):
// events published on the mediator as lib/live.js publishes them, of exactly
// the format /api/events sends; the fake server answers the fetches.
const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled} = require('./helpers');
const {mediator} = require('chaplin');

const ResourceModel = app('models/resource-model');
const ResourceCollection = app('models/resource-collection');
const {followPage, followItem, editing} = app('lib/live/follow');

const TASKS = {
  name: 'tasks',
  url: '/api/tasks',
  label: 'Tasks',
  item_label: 'Task',
  title_field: 'title',
  fields: [{name: 'title', label: 'Title', widget: 'line', default: ''}],
  sorts: [{value: '-created_at', label: 'Newest first'}],
  default_sort: '-created_at',
  search: {param: 'q', field: 'title', label: 'Search by title', max_length: 100},
  page_size: 3,
};
const Task = ResourceModel.describe(TASKS);
const Tasks = ResourceCollection.describe(TASKS, Task);

function task(n, changes = {}) {
  const minute = String(n).padStart(2, '0');
  return Object.assign(
    {
      _id: n.toString(16).padStart(24, '0'),
      title: `Task ${minute}`,
      created_at: `2026-12-01T00:${minute}:00.000000+00:00`,
      version: 1,
    },
    changes,
  );
}

function change(op, document) {
  return {resource: 'tasks', op, _id: document._id, document: op === 'delete' ? null : document};
}

// Lets the fake server's answers (one timer each) arrive.
function tick(ms = 0) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

const disposables = [];
test.afterEach(() => {
  for (const object of disposables.splice(0)) object.dispose();
});

async function followedPage(items, {total = items.length, query} = {}) {
  server.respond = () => ({status: 200, body: {items, page: 1, per_page: 3, total}});
  const tasks = new Tasks(null, {query});
  disposables.push(tasks);
  followPage(tasks);
  await settled(tasks.fetch());
  server.requests.length = 0;
  return tasks;
}

function titles(tasks) {
  return tasks.map(model => model.get('title'));
}

test('a list page takes a new item in order, and its total', async () => {
  const tasks = await followedPage([task(3), task(2)]);
  let merged = 0;
  tasks.on('live:merged', () => (merged += 1));
  mediator.publish('live:change', change('create', task(4)));
  assert.deepEqual(titles(tasks), ['Task 04', 'Task 03', 'Task 02']);
  assert.equal(tasks.total, 3);
  assert.equal(merged, 1);
  assert.equal(server.requests.length, 0);
});

test('a list page updates and removes its items in place', async () => {
  const tasks = await followedPage([task(3), task(2), task(1)], {total: 5});
  const model = tasks.get(task(2)._id);
  mediator.publish('live:change', change('update', task(2, {title: 'Renamed', version: 2})));
  assert.equal(tasks.get(task(2)._id), model, 'the same model, changed');
  assert.deepEqual(titles(tasks), ['Task 03', 'Renamed', 'Task 01']);
  mediator.publish('live:change', change('delete', task(3)));
  assert.deepEqual(titles(tasks), ['Renamed', 'Task 01']);
  assert.equal(tasks.total, 4);
});

test('a new item for another page raises the notice and asks for the total once', async () => {
  const tasks = await followedPage([task(6), task(5), task(4)], {total: 6, query: {page: '2'}});
  const notices = [];
  tasks.on('live:notice', live => notices.push({...live}));
  server.respond = () => ({status: 200, body: {items: [task(9)], page: 1, per_page: 1, total: 8}});
  mediator.publish('live:change', change('create', task(9)));
  mediator.publish('live:change', change('create', task(8)));
  assert.deepEqual(notices.at(-1), {fresh: 2, stale: false});
  assert.deepEqual(titles(tasks), ['Task 06', 'Task 05', 'Task 04']);

  await tick(400);
  assert.deepEqual(
    server.requests.map(request => request.url),
    ['/api/tasks?page=1&per_page=1&sort=-created_at'],
  );
  assert.equal(tasks.total, 8);

  // Show: the page fetched again, the notice gone.
  server.respond = () => ({
    status: 200,
    body: {items: [task(7), task(6), task(5)], page: 2, per_page: 3, total: 8},
  });
  await settled(tasks.fetch());
  assert.deepEqual(notices.at(-1), {fresh: 0, stale: false});
});

test('changes during a fetch wait for its answer', async () => {
  server.respond = () => ({status: 200, body: {items: [task(3)], page: 1, per_page: 3, total: 1}});
  const tasks = new Tasks();
  disposables.push(tasks);
  followPage(tasks);
  const fetching = tasks.fetch();
  mediator.publish('live:change', change('create', task(4)));
  assert.equal(tasks.length, 0);
  await settled(fetching);
  assert.deepEqual(titles(tasks), ['Task 04', 'Task 03']);
  assert.equal(tasks.total, 2);
});

test('a reset or a poll fetches the page again', async () => {
  const tasks = await followedPage([task(1)]);
  server.respond = () => ({
    status: 200,
    body: {items: [task(2), task(1)], page: 1, per_page: 3, total: 2},
  });
  mediator.publish('live:reset');
  await tick(5);
  assert.deepEqual(titles(tasks), ['Task 02', 'Task 01']);
  assert.equal(tasks.total, 2);
  mediator.publish('live:poll');
  await tick(5);
  assert.equal(server.requests.length, 2);
});

// Follows `target`, publishes a reset while its fetch is in flight, and waits
// for that fetch and for any the reset asks for.
async function resetDuringFetch(target, follow) {
  disposables.push(target);
  follow(target);
  server.requests.length = 0;
  const fetching = target.fetch();
  mediator.publish('live:reset');
  await settled(fetching);
  await tick(5);
}

test('a reset during a fetch fetches the page again once it is answered', async () => {
  // The first answer was read before task 2, the second after it.
  const answers = [[task(1)], [task(2), task(1)]];
  server.respond = () => {
    const items = answers.shift();
    return {status: 200, body: {items, page: 1, per_page: 3, total: items.length}};
  };
  const tasks = new Tasks();
  await resetDuringFetch(tasks, followPage);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(titles(tasks), ['Task 02', 'Task 01']);
});

test('a disposed list follows nothing', async () => {
  await followedPage([task(1)]);
  disposables.splice(0).forEach(object => object.dispose());
  mediator.publish('live:change', change('create', task(2)));
  mediator.publish('live:reset');
  await tick(5);
  assert.equal(server.requests.length, 0);
});

async function followedItem(document) {
  server.respond = () => ({status: 200, body: document});
  const model = new Task({_id: document._id});
  disposables.push(model);
  followItem(model);
  await settled(model.fetch());
  server.requests.length = 0;
  return model;
}

test('a detail page shows a newer version, and not an older one', async () => {
  const model = await followedItem(task(1, {version: 2}));
  mediator.publish('live:change', change('update', task(1, {title: 'Old', version: 1})));
  assert.equal(model.get('title'), 'Task 01');
  mediator.publish('live:change', change('update', task(1, {title: 'New', version: 3})));
  assert.equal(model.get('title'), 'New');
  mediator.publish('live:change', change('update', task(2, {title: 'Other', version: 9})));
  assert.equal(model.get('title'), 'New');
});

test('a detail page hears of its deletion', async () => {
  const model = await followedItem(task(1));
  let deleted = false;
  model.on('live:deleted', () => (deleted = true));
  mediator.publish('live:change', change('delete', task(1)));
  assert.ok(deleted);
});

test('a form being edited is never overwritten: it is told, and the change waits', async () => {
  const model = await followedItem(task(1));
  editing(model);
  const stale = [];
  model.on('live:stale', document => stale.push(document));
  mediator.publish('live:change', change('update', task(1, {title: 'Theirs', version: 2})));
  assert.equal(model.get('title'), 'Task 01');
  assert.deepEqual(
    stale.map(document => document.title),
    ['Theirs'],
  );
  mediator.publish('live:change', change('delete', task(1)));
  assert.equal(stale.at(-1), null);
  assert.equal(model.get('title'), 'Task 01');
});

test('the echo of the form’s own save is not news, even before the save’s answer', async () => {
  const model = await followedItem(task(1));
  editing(model);
  const stale = [];
  model.on('live:stale', document => stale.push(document));
  const saved = task(1, {title: 'Mine', version: 2});
  server.respond = () => ({status: 200, body: saved});
  const saving = model.save({title: 'Mine'}, {wait: true});
  mediator.publish('live:change', change('update', saved));
  await settled(saving);
  await tick(5);
  assert.deepEqual(stale, []);
  assert.equal(model.get('version'), 2);
});

test('without events, a poll compares the item with the server’s', async () => {
  const model = await followedItem(task(1));
  server.respond = () => ({status: 200, body: task(1, {title: 'Polled', version: 2})});
  mediator.publish('live:poll');
  await tick(5);
  assert.equal(model.get('title'), 'Polled');
  let deleted = false;
  model.on('live:deleted', () => (deleted = true));
  server.respond = () => ({status: 404, body: {error: 'Not found.'}});
  mediator.publish('live:poll');
  await tick(5);
  assert.ok(deleted);
});

test('a reset during the item’s fetch compares it once the fetch is answered', async () => {
  // The first answer was read before the change, the second after it.
  const answers = [task(1), task(1, {title: 'Changed', version: 2})];
  server.respond = () => ({status: 200, body: answers.shift()});
  const model = new Task({_id: task(1)._id});
  await resetDuringFetch(model, followItem);
  assert.equal(server.requests.length, 2);
  assert.equal(model.get('title'), 'Changed');
});
