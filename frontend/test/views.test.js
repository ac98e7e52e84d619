const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled, window, WIDGETS, TASKS} = require('./helpers');
const {mediator} = require('chaplin');

const resources = app('lib/resources');
const ajax = app('lib/ajax');

ajax.setup();

// The widgets with their overrides (resources/widgets.js), the tasks with none.
const widgets = resources.build(WIDGETS);
const tasks = resources.build(TASKS);

const XSS = '<img src=x onerror=alert(1)>';
const STORED = {_id: 'a'.repeat(24), name: 'Gear', description: '', version: 2};
const TASK = {_id: 'b'.repeat(24), title: 'Call Ann', notes: '', priority: 3, done: true};

// Views made by a test, removed after it.
const views = [];

test.beforeEach(() => {
  server.requests.length = 0;
});

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

function respond(status, body) {
  server.respond = () => ({status, body});
}

async function fetchedList(resource, items, total = items.length) {
  respond(200, {items, page: 1, per_page: 20, total});
  const collection = new resource.Collection();
  const view = track(new resource.views.list({collection, container: container()}));
  await settled(collection.fetch());
  return view;
}

test('the list shows titles as text, never as markup', async () => {
  const view = await fetchedList(widgets, [{...STORED, name: XSS, description: XSS}]);
  const link = view.el.querySelector('.resource-title');
  assert.equal(link.textContent, XSS);
  assert.equal(link.getAttribute('href'), `/widgets/${STORED._id}`);
  assert.equal(view.el.querySelector('img'), null);
  assert.ok(!isShown(view.el.querySelector('.list-empty')));
});

test('an override replaces a template of one resource only', async () => {
  const withDescription = {...STORED, description: 'Twelve teeth.'};
  const widgetList = await fetchedList(widgets, [withDescription]);
  assert.equal(widgetList.el.querySelector('.widget-description').textContent, 'Twelve teeth.');

  const taskList = await fetchedList(tasks, [{...TASK, notes: 'Twelve teeth.'}]);
  assert.equal(taskList.el.querySelector('.resource-title').textContent, 'Call Ann');
  assert.doesNotMatch(taskList.el.textContent, /Twelve teeth/);
});

test('an empty list says so once loaded, in the resource’s words', async () => {
  const view = await fetchedList(tasks, []);
  assert.ok(isShown(view.el.querySelector('.list-empty')));
  assert.ok(!isShown(view.el.querySelector('.list-loading')));
  assert.match(view.el.textContent, /no tasks yet/);
  assert.equal(view.el.querySelector('.list-empty a').getAttribute('href'), '/tasks/new');
});

test('the list is busy while a fetch is in flight, and not once it is answered', async () => {
  const view = await fetchedList(tasks, [TASK]);
  assert.equal(view.el.getAttribute('aria-busy'), 'false');
  const reload = view.collection.fetch();
  assert.equal(view.el.getAttribute('aria-busy'), 'true');
  await settled(reload);
  assert.equal(view.el.getAttribute('aria-busy'), 'false');
});

test('a list item shows its model as it is now', async () => {
  const view = await fetchedList(tasks, [TASK]);
  view.collection.first().set({title: 'Call Bob'});
  assert.equal(view.el.querySelector('.resource-title').textContent, 'Call Bob');
});

test('the pager counts and links to the next page', async () => {
  respond(200, {items: [STORED], page: 1, per_page: 20, total: 25});
  const collection = new widgets.Collection(null, {query: {q: 'g'}});
  const view = track(new widgets.views.pager({collection, container: container()}));
  await settled(collection.fetch());
  assert.match(view.el.textContent, /1–1 of 25/);
  assert.equal(view.el.querySelector('[rel="next"]').getAttribute('href'), '/widgets?page=2&q=g');
  assert.equal(view.el.querySelector('[rel="prev"]'), null);
});

test('the pager keeps its links when a fetch brings the same page, and redraws when it changes', async () => {
  respond(200, {items: [STORED], page: 1, per_page: 20, total: 25});
  const collection = new widgets.Collection(null, {query: {}});
  const view = track(new widgets.views.pager({collection, container: container()}));
  await settled(collection.fetch());
  const next = view.el.querySelector('[rel="next"]');

  respond(200, {items: [STORED], page: 1, per_page: 20, total: 25});
  await settled(collection.fetch()); // as the list does once its live stream opens
  assert.equal(view.el.querySelector('[rel="next"]'), next); // the same element: a click lands

  respond(200, {items: [STORED], page: 1, per_page: 20, total: 45});
  await settled(collection.fetch());
  assert.match(view.el.textContent, /1–1 of 45/);
  assert.notEqual(view.el.querySelector('[rel="next"]'), next);
});

function listPage(resource, query) {
  const collection = new resource.Collection(null, {query});
  return track(new resource.views.page({collection, container: container()}));
}

test('the list page offers the description’s sorts, and search only where there is one', () => {
  const widgetPage = listPage(widgets, {sort: 'name', q: 'gear'});
  assert.equal(widgetPage.el.querySelector('h1').textContent, 'Widgets');
  assert.equal(widgetPage.el.querySelector('[name="q"]').value, 'gear');
  assert.equal(widgetPage.el.querySelector('label[for="widgets-q"]').textContent, 'Search by name');
  assert.equal(widgetPage.el.querySelector('[name="sort"]').value, 'name');

  const taskPage = listPage(tasks);
  const options = [...taskPage.el.querySelectorAll('[name="sort"] option')];
  assert.deepEqual(
    options.map(option => option.value),
    TASKS.sorts.map(sort => sort.value),
  );
  assert.equal(taskPage.el.querySelector('[name="q"]'), null);
  assert.equal(taskPage.el.querySelector('a.button').getAttribute('href'), '/tasks/new');
});

function form(resource, attributes) {
  const model = new resource.Model(attributes);
  // As the controller's fetch leaves an item to edit.
  if (attributes) {
    model.beginSync();
    model.finishSync();
  }
  return track(new resource.views.form({model, container: container()}));
}

function submit(view) {
  view.el.dispatchEvent(new window.Event('submit', {cancelable: true}));
  return settled(view.model.request);
}

test('each field is rendered by its widget, with the limits of the description', () => {
  const view = form(tasks);
  const {title, notes, priority, done} = view.el.elements;
  assert.equal(title.type, 'text');
  assert.equal(title.maxLength, 100);
  assert.ok(title.required);
  assert.equal(notes.tagName, 'TEXTAREA');
  assert.equal(notes.maxLength, 2000);
  assert.equal(priority.type, 'number');
  assert.equal(priority.min, '0');
  assert.equal(priority.max, '5');
  assert.equal(priority.value, '0');
  assert.equal(done.type, 'checkbox');
  assert.equal(done.checked, false);
  for (const input of [title, notes, priority, done]) {
    const label = view.el.querySelector(`label[for="${input.id}"]`);
    assert.ok(label, `${input.name} has a label`);
  }
  assert.match(view.el.querySelector('label[for="tasks-notes"]').textContent, /optional/);
  assert.equal(notes.getAttribute('aria-describedby'), 'tasks-notes-error tasks-notes-help');
  assert.equal(view.el.querySelector('#tasks-notes-help').textContent, 'Only you can see them.');
});

test('an override replaces one field’s control', () => {
  const view = form(widgets);
  assert.equal(view.el.elements.description.rows, 3);
  assert.equal(form(tasks).el.elements.notes.rows, 5);
});

test('an override may subclass a view, or add to the model', () => {
  const DetailView = app('views/resource/detail-view');
  const custom = resources.build(TASKS, {
    views: {detail: DetailView.extend({className: 'task-detail'})},
    model: {urgent: () => true},
  });
  const model = new custom.Model(TASK);
  const view = track(new custom.views.detail({model, container: container()}));
  assert.ok(view.el.classList.contains('task-detail'));
  assert.equal(view.resource, custom);
  assert.ok(model.urgent());
  assert.equal(tasks.Model.prototype.urgent, undefined);
});

test('the form sends numbers and booleans as such', async () => {
  const view = form(tasks, TASK);
  const {priority, done, notes} = view.el.elements;
  assert.equal(priority.value, '3');
  assert.ok(done.checked);
  priority.value = '5';
  done.checked = false;
  notes.value = 'Before noon.';
  respond(200, {...TASK, priority: 5, done: false, notes: 'Before noon.', version: 2});
  await submit(view);
  const [request] = server.requests;
  assert.equal(request.method, 'PUT');
  assert.equal(request.body.priority, 5);
  assert.equal(request.body.done, false);
  assert.equal(request.body.notes, 'Before noon.');
});

test('an empty number is sent as null, for the server to judge', async () => {
  const view = form(tasks);
  view.el.elements.title.value = 'Call Ann';
  view.el.elements.priority.value = '';
  respond(201, TASK);
  await submit(view);
  assert.equal(server.requests[0].body.priority, null);
});

test('a 400 puts each message beside its field, and a valid save clears it', async () => {
  const view = form(widgets);
  const {name} = view.el.elements;
  respond(400, {error: 'Widget is not valid.', fields: {name: ['This field is required.']}});
  await submit(view);
  assert.equal(view.el.querySelector('#widgets-name-error').textContent, 'This field is required.');
  assert.equal(name.getAttribute('aria-invalid'), 'true');
  assert.ok(name.closest('.field').classList.contains('field-invalid'));
  assert.equal(window.document.activeElement, name);

  let saved = null;
  view.on('saved', model => {
    saved = model;
  });
  name.value = 'Gear';
  respond(201, STORED);
  await submit(view);
  assert.equal(view.el.querySelector('#widgets-name-error').textContent, '');
  assert.equal(name.getAttribute('aria-invalid'), 'false');
  assert.equal(saved.id, STORED._id);
});

test('a number field’s error stands beside it too', async () => {
  const view = form(tasks);
  respond(400, {error: 'Task is not valid.', fields: {priority: ['At most 5.']}});
  await submit(view);
  assert.equal(view.el.querySelector('#tasks-priority-error').textContent, 'At most 5.');
  assert.equal(view.el.elements.priority.getAttribute('aria-invalid'), 'true');
});

test('a conflict offers to load the current version', async () => {
  const view = form(widgets, {...STORED, version: 1});
  view.el.elements.name.value = 'Mine';
  const current = {...STORED, name: 'Theirs'};
  respond(409, {error: 'Someone else changed this widget.', current});
  await submit(view);
  const conflict = view.el.querySelector('.form-conflict');
  assert.ok(!conflict.hidden);
  assert.match(conflict.textContent, /changed this widget/);
  assert.equal(window.document.activeElement, conflict.querySelector('.load-current'));

  conflict.querySelector('.load-current').click();
  assert.equal(view.el.elements.name.value, 'Theirs');
  assert.equal(view.model.get('version'), 2);
  assert.ok(view.el.querySelector('.form-conflict').hidden);
});

test('a newer version can be offered without touching what the user typed', () => {
  const view = form(tasks, TASK);
  view.el.elements.title.value = 'Mine';
  window.document.body.focus();
  view.offerCurrent({...TASK, title: 'Theirs', version: 2}, {focus: false});
  assert.ok(!view.el.querySelector('.form-conflict').hidden);
  assert.equal(view.el.elements.title.value, 'Mine');
  assert.notEqual(window.document.activeElement, view.el.querySelector('.load-current'));
});

test('an item to edit shows "Loading…", then the form, or "not found"', async () => {
  respond(200, TASK);
  const model = new tasks.Model({_id: TASK._id});
  const view = track(new tasks.views.form({model, container: container()}));
  assert.match(view.el.textContent, /Loading task…/);
  await settled(model.fetch());
  assert.equal(view.el.elements.title.value, 'Call Ann');

  respond(404, {error: 'Task not found.'});
  const gone = new tasks.Model({_id: 'c'.repeat(24)});
  const missing = track(new tasks.views.form({model: gone, container: container()}));
  await settled(gone.fetch());
  assert.equal(missing.el.querySelector('h1').textContent, 'Task not found');
});

test('server and network failures raise the site banner, not a form error', async () => {
  const messages = [];
  mediator.subscribe('app:error', message => messages.push(message));
  const view = form(widgets, STORED);
  respond(503, {error: 'The database is unavailable.'});
  await submit(view);
  server.respond = () => ({status: 0});
  await submit(view);

  assert.deepEqual(messages, [
    'The database is unavailable.',
    'Cannot reach the server. Check your connection and try again.',
  ]);
  assert.ok([...view.el.querySelectorAll('.form-alert')].every(alert => alert.hidden));
});

async function detail(resource, stored) {
  respond(200, stored);
  const model = new resource.Model({_id: stored._id});
  const view = track(new resource.views.detail({model, container: container()}));
  await settled(model.fetch());
  return view;
}

test('the detail page shows every field, the title as its heading', async () => {
  const view = await detail(tasks, {...TASK, notes: XSS});
  assert.equal(view.el.querySelector('h1').textContent, 'Call Ann');
  const shown = {};
  for (const term of view.el.querySelectorAll('.resource-fields dt')) {
    shown[term.textContent] = term.nextElementSibling.textContent;
  }
  assert.deepEqual(shown, {Notes: XSS, Priority: '3', Done: 'Yes'});
  assert.equal(view.el.querySelector('img'), null);
  const edit = view.el.querySelector('.resource-edit');
  assert.equal(edit.getAttribute('href'), `/tasks/${TASK._id}/edit`);
});

test('the detail page follows its model', async () => {
  const view = await detail(tasks, TASK);
  view.model.set({title: 'Call Bob', done: false});
  assert.equal(view.el.querySelector('h1').textContent, 'Call Bob');
  assert.match(view.el.querySelector('.resource-fields').textContent, /No/);
});

test('the detail page keeps its buttons when a fetch brings the same item', async () => {
  const view = await detail(tasks, TASK);
  const edit = view.el.querySelector('.resource-edit');
  respond(200, TASK);
  await settled(view.model.fetch()); // as the page does once its live stream opens
  assert.equal(view.el.querySelector('.resource-edit'), edit);
});

test('delete asks first, deletes only when the user agrees, and offers Undo', async () => {
  const view = await detail(widgets, STORED);
  const confirm = app('lib/confirm');
  const questions = [];
  let answer = false;
  confirm.ask = question => {
    questions.push(question);
    return Promise.resolve(answer);
  };
  view.el.querySelector('.resource-delete').click();
  await new Promise(resolve => setTimeout(resolve));
  assert.equal(server.requests.length, 1);
  assert.deepEqual(questions[0], {
    title: 'Delete this widget?',
    message: '“Gear” will be deleted.',
    confirmLabel: 'Delete widget',
  });

  answer = true;
  respond(204);
  const statuses = [];
  const redirects = [];
  mediator.subscribe('app:status', (message, options) => statuses.push([message, options]));
  mediator.setHandler('router:route', path => redirects.push(path.url));
  view.el.querySelector('.resource-delete').click();
  await new Promise(resolve => setTimeout(resolve));
  await settled(view.model.request);
  const {method, url} = server.requests.at(-1);
  assert.deepEqual([method, url], ['DELETE', `/api/widgets/${STORED._id}`]);
  assert.deepEqual(redirects, ['/widgets']);
  const [[message, {action}]] = statuses;
  assert.equal(message, 'Deleted “Gear”.');
  assert.equal(action.label, 'Undo');

  // Undo creates it again from its fields: a new item, at its own page.
  const restored = {...STORED, _id: 'c'.repeat(24), version: 1};
  respond(201, restored);
  action.run();
  await new Promise(resolve => setTimeout(resolve, 10));
  const create = server.requests.at(-1);
  assert.deepEqual([create.method, create.url], ['POST', '/api/widgets']);
  assert.deepEqual(create.body, {name: 'Gear', description: ''});
  assert.deepEqual(redirects, ['/widgets', `/widgets/${restored._id}`]);
  mediator.removeHandlers(['router:route']);
  mediator.unsubscribe('app:status');
});

test('an item that does not exist says so', async () => {
  respond(404, {error: 'Widget not found.'});
  const model = new widgets.Model({_id: STORED._id});
  const view = track(new widgets.views.detail({model, container: container()}));
  await settled(model.fetch());
  assert.equal(view.el.querySelector('h1').textContent, 'Widget not found');
});
