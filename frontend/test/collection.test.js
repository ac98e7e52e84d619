const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled, WIDGETS, TASKS} = require('./helpers');

const resources = app('lib/resources');

const Widgets = resources.build(WIDGETS).Collection;
const Tasks = resources.build(TASKS).Collection;

function item(number) {
  return {_id: String(number).padStart(24, '0'), name: `Widget ${number}`, version: 1};
}

test('the API URL carries the page, page size, sort and search', () => {
  assert.equal(new Widgets().url(), '/api/widgets?page=1&per_page=20&sort=-created_at');
  const widgets = new Widgets(null, {query: {page: '3', sort: 'name', q: ' a&b '}});
  assert.equal(widgets.url(), '/api/widgets?page=3&per_page=20&sort=name&q=a%26b');
});

test('the page size and the sorts are the description’s', () => {
  const tasks = new Tasks(null, {query: {sort: 'priority'}});
  assert.equal(tasks.url(), '/api/tasks?page=1&per_page=10&sort=priority');
  // Widgets cannot be sorted by priority.
  assert.equal(new Widgets(null, {query: {sort: 'priority'}}).query.sort, '-created_at');
});

test('a query from the URL that makes no sense falls back to the defaults', () => {
  const widgets = new Widgets(null, {query: {page: '-2', sort: '$where', q: ['x', 'y']}});
  assert.deepEqual(widgets.query, {page: 1, sort: '-created_at', q: ''});
});

test('a resource without search ignores a search in the URL', () => {
  const tasks = new Tasks(null, {query: {q: 'milk'}});
  assert.equal(tasks.query.q, '');
  assert.doesNotMatch(tasks.url(), /milk/);
});

test('the app path keeps the query, without its defaults', () => {
  const widgets = new Widgets(null, {query: {q: 'big gear', sort: 'name'}});
  assert.equal(widgets.path(), '/widgets?sort=name&q=big%20gear');
  assert.equal(widgets.path({page: 2}), '/widgets?page=2&sort=name&q=big%20gear');
  assert.equal(new Widgets().path(), '/widgets');
  assert.equal(new Tasks().path({page: 3}), '/tasks?page=3');
});

test('parse reads the page envelope', async () => {
  server.respond = () => ({
    status: 200,
    body: {items: [item(1), item(2)], page: 2, per_page: 2, total: 5},
  });
  const widgets = new Widgets(null, {query: {page: 2}});
  await settled(widgets.fetch());

  assert.deepEqual(widgets.pluck('name'), ['Widget 1', 'Widget 2']);
  assert.equal(widgets.total, 5);
  assert.equal(widgets.pageCount(), 3);
  assert.ok(widgets.isSynced());
  assert.equal(widgets.first().path(), `/widgets/${item(1)._id}`);
});
