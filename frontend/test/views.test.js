const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled, window} = require('./helpers');
const {mediator} = require('chaplin');

const Widget = app('models/widget');
const Widgets = app('models/widgets');
const WidgetListView = app('views/widget-list-view');
const WidgetFormView = app('views/widget-form-view');
const PagerView = app('views/pager-view');
const ajax = app('lib/ajax');

ajax.setup();

const XSS = '<img src=x onerror=alert(1)>';
const STORED = {_id: 'a'.repeat(24), name: 'Gear', description: '', version: 2};

// Views made by a test, removed after it.
const views = [];

test.afterEach(() => {
  for (const view of views.splice(0)) view.dispose();
});

function container() {
  const element = window.document.createElement('div');
  window.document.body.append(element);
  return element;
}

function track(view) {
  views.push(view);
  return view;
}

function isShown(element) {
  return element.style.display !== 'none';
}

async function fetchedList(items, total = items.length) {
  server.respond = () => ({status: 200, body: {items, page: 1, per_page: 20, total}});
  const widgets = new Widgets();
  const view = track(new WidgetListView({collection: widgets, container: container()}));
  await settled(widgets.fetch());
  return view;
}

test('the list shows names as text, never as markup', async () => {
  const view = await fetchedList([{...STORED, name: XSS}]);
  const link = view.el.querySelector('.widget-name');
  assert.equal(link.textContent, XSS);
  assert.equal(link.getAttribute('href'), `/widgets/${STORED._id}`);
  assert.equal(view.el.querySelector('img'), null);
  assert.ok(!isShown(view.el.querySelector('.list-empty')));
});

test('an empty list says so once loaded', async () => {
  const view = await fetchedList([]);
  assert.ok(isShown(view.el.querySelector('.list-empty')));
  assert.ok(!isShown(view.el.querySelector('.list-loading')));
  assert.match(view.el.textContent, /no widgets yet/);
});

test('the pager counts and links to the next page', async () => {
  server.respond = () => ({status: 200, body: {items: [STORED], page: 1, per_page: 20, total: 25}});
  const widgets = new Widgets(null, {query: {q: 'g'}});
  const view = track(new PagerView({collection: widgets, container: container()}));
  await settled(widgets.fetch());
  assert.match(view.el.textContent, /1–1 of 25/);
  assert.equal(view.el.querySelector('[rel="next"]').getAttribute('href'), '/widgets?page=2&q=g');
  assert.equal(view.el.querySelector('[rel="prev"]'), null);
});

function form(attributes) {
  return track(new WidgetFormView({model: new Widget(attributes), container: container()}));
}

function submit(view) {
  view.el.dispatchEvent(new window.Event('submit', {cancelable: true}));
  return settled(view.model.request);
}

test('a 400 puts each message beside its field, and a valid save clears it', async () => {
  const view = form();
  const name = view.el.elements.name;
  server.respond = () => ({
    status: 400,
    body: {error: 'Widget is not valid.', fields: {name: ['This field is required.']}},
  });
  await submit(view);
  assert.equal(view.el.querySelector('#widget-name-error').textContent, 'This field is required.');
  assert.equal(name.getAttribute('aria-invalid'), 'true');
  assert.ok(name.closest('.field').classList.contains('field-invalid'));

  let saved = null;
  view.on('saved', widget => {
    saved = widget;
  });
  name.value = 'Gear';
  server.respond = () => ({status: 201, body: STORED});
  await submit(view);
  assert.equal(view.el.querySelector('#widget-name-error').textContent, '');
  assert.equal(name.getAttribute('aria-invalid'), 'false');
  assert.equal(saved.id, STORED._id);
});

test('a conflict offers to load the current version', async () => {
  const view = form({...STORED, version: 1});
  view.el.elements.name.value = 'Mine';
  const current = {...STORED, name: 'Theirs'};
  server.respond = () => ({
    status: 409,
    body: {error: 'Someone else changed this widget.', current},
  });
  await submit(view);
  const conflict = view.el.querySelector('.form-conflict');
  assert.ok(!conflict.hidden);

  conflict.querySelector('.load-current').click();
  assert.equal(view.el.elements.name.value, 'Theirs');
  assert.equal(view.model.get('version'), 2);
});

test('server and network failures raise the site banner, not a form error', async () => {
  const messages = [];
  mediator.subscribe('app:error', message => messages.push(message));
  const view = form(STORED);
  server.respond = () => ({status: 503, body: {error: 'The database is unavailable.'}});
  await submit(view);
  server.respond = () => ({status: 0});
  await submit(view);

  assert.deepEqual(messages, [
    'The database is unavailable.',
    'Cannot reach the server. Check your connection and try again.',
  ]);
  assert.ok([...view.el.querySelectorAll('.form-alert')].every(alert => alert.hidden));
});
