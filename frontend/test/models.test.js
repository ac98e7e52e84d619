const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled, WIDGETS, TASKS} = require('./helpers');

const resources = app('lib/resources');
const ajax = app('lib/ajax');

ajax.setup();

const Widget = resources.build(WIDGETS).Model;
const Task = resources.build(TASKS).Model;

const STORED = {
  _id: '6b041b997e24e19e0d13a7b4',
  name: 'Sprocket',
  description: '',
  created_at: '2026-11-22T14:05:09.123000+00:00',
  updated_at: '2026-11-22T14:05:09.123000+00:00',
  version: 1,
};

test.beforeEach(() => {
  server.requests.length = 0;
});

test('an item is identified by _id under its resource URL', () => {
  assert.equal(new Widget().url(), '/api/widgets');
  const widget = new Widget({_id: STORED._id});
  assert.equal(widget.id, STORED._id);
  assert.equal(widget.url(), `/api/widgets/${STORED._id}`);
  assert.equal(widget.path(), `/widgets/${STORED._id}`);
  assert.equal(new Task({_id: STORED._id}).url(), `/api/tasks/${STORED._id}`);
});

test('a new item starts with the default of each field', () => {
  assert.deepEqual(new Widget().attributes, {name: '', description: ''});
  assert.deepEqual(new Task().attributes, {title: '', notes: '', priority: 0, done: false});
});

test('templates get a plain object with the title, the path and formatted dates', () => {
  const data = new Widget(STORED).serialize();
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(data.title, 'Sprocket');
  assert.equal(data.path, `/widgets/${STORED._id}`);
  assert.match(data.created, /2026/);
});

test('an item whose title field is blank is still named', () => {
  assert.equal(new Task({title: '  '}).title(), 'Untitled');
  assert.equal(new Task({title: 'Call Ann'}).title(), 'Call Ann');
});

test('saving a new item POSTs every field with the CSRF token', async () => {
  server.respond = () => ({status: 201, body: STORED});
  const widget = new Widget();
  await settled(widget.save({name: 'Sprocket'}, {wait: true}));

  const [request] = server.requests;
  assert.equal(request.method, 'POST');
  assert.equal(request.url, '/api/widgets');
  assert.equal(request.headers['X-CSRFToken'], 'the-csrf-token');
  assert.deepEqual(request.body, {name: 'Sprocket', description: ''});
  assert.equal(widget.id, STORED._id);
});

test('reading sends no CSRF token', async () => {
  server.respond = () => ({status: 200, body: STORED});
  const widget = new Widget({_id: STORED._id});
  await settled(widget.fetch());

  assert.equal(server.requests[0].headers['X-CSRFToken'], undefined);
  assert.ok(widget.isSynced());
  assert.equal(widget.get('name'), 'Sprocket');
});

test('a failed fetch leaves the item unsynced', async () => {
  server.respond = () => ({status: 404, body: {error: 'Widget not found.'}});
  const widget = new Widget({_id: STORED._id});
  await settled(widget.fetch());
  assert.ok(widget.isUnsynced());
});
