// The whole app in jsdom, as initialize.js starts it: the routes and the
// header come from the bootstrap's resources, every page from the one
// resources controller.
const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, window, TASKS} = require('./helpers');
const {mediator, utils} = require('chaplin');

const Application = app('application');
const routes = app('routes');
const ajax = app('lib/ajax');

const TASK = {_id: 'b'.repeat(24), title: 'Call Ann', notes: '', priority: 3, done: true};

function answer(request) {
  if (request.url.startsWith('/api/tasks?')) {
    return {status: 200, body: {items: [TASK], page: 1, per_page: 10, total: 1}};
  }
  if (request.url === `/api/tasks/${TASK._id}`) return {status: 200, body: TASK};
  return {status: 200, body: {items: [], page: 1, per_page: 20, total: 0}};
}

// Resolves once a page has been dispatched and its requests answered.
function dispatched() {
  return new Promise(resolve => {
    mediator.subscribe('dispatcher:dispatch', function done() {
      mediator.unsubscribe('dispatcher:dispatch', done);
      setTimeout(resolve, 5);
    });
  });
}

function visit(url) {
  const page = dispatched();
  utils.redirectTo({url});
  return page;
}

const main = () => window.document.querySelector('#main');

test.before(() => {
  server.respond = answer;
  ajax.setup();
  // Chaplin's layout scrolls to the top of each new page; jsdom cannot.
  window.scrollTo = () => {};
  window.history.replaceState({}, '', '/');
  const page = dispatched();
  new Application({title: 'Flaskbone', routes, controllerSuffix: '-controller', pushState: true});
  return page;
});

test('each resource has four routes, and the first also has ""', () => {
  const matched = [];
  routes((pattern, target, options) =>
    matched.push(`${pattern} ${target} ${options.params.resource}`),
  );
  assert.deepEqual(matched, [
    ' resources#index widgets',
    'widgets resources#index widgets',
    'widgets/new resources#new widgets',
    'widgets/:id/edit resources#edit widgets',
    'widgets/:id resources#show widgets',
    'tasks resources#index tasks',
    'tasks/new resources#new tasks',
    'tasks/:id/edit resources#edit tasks',
    'tasks/:id resources#show tasks',
  ]);
});

test('the header links to every resource and marks the current one', async () => {
  const links = [...window.document.querySelectorAll('.site-sections a')];
  assert.deepEqual(
    links.map(link => [link.textContent, link.getAttribute('href')]),
    [
      ['Widgets', '/widgets'],
      ['Tasks', '/tasks'],
    ],
  );
  await visit('/tasks');
  assert.equal(links[1].getAttribute('aria-current'), 'page');
  assert.equal(links[0].getAttribute('aria-current'), null);
});

test('"" is the first resource’s list', async () => {
  await visit('/');
  assert.equal(main().querySelector('h1').textContent, 'Widgets');
  assert.match(main().textContent, /no widgets yet/);
});

test('a list page shows the items and focuses its heading', async () => {
  await visit('/tasks');
  assert.equal(main().querySelector('.resource-title').textContent, 'Call Ann');
  assert.equal(window.document.activeElement, main().querySelector('h1'));
  assert.equal(window.document.title.startsWith(TASKS.label), true);
});

test('the edit page has its own URL, and Cancel goes back to the item', async () => {
  await visit(`/tasks/${TASK._id}/edit`);
  const form = main().querySelector('form');
  assert.equal(form.elements.title.value, 'Call Ann');
  assert.equal(window.document.activeElement, form.elements.title);

  const detail = dispatched();
  form.querySelector('.form-cancel').click();
  await detail;
  assert.equal(window.location.pathname, `/tasks/${TASK._id}`);
  assert.equal(main().querySelector('h1').textContent, 'Call Ann');
  assert.equal(window.document.activeElement, main().querySelector('.resource-edit'));
});

test('the new page starts with the defaults', async () => {
  await visit('/tasks/new');
  const form = main().querySelector('form');
  assert.equal(form.querySelector('h1').textContent, 'New task');
  assert.equal(form.elements.priority.value, '0');
  assert.equal(form.elements.done.checked, false);
});
