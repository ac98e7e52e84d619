// lib/live.js as the app uses it: what the stream says, published on the
// mediator; the polling fallback; the login redirect; and the two views that
// show it (the page's connection status, the list's notice). One stream per
// page load, so the tests follow one story, in order.
const test = require('node:test');
const assert = require('node:assert/strict');
const {app, window} = require('./helpers');
const {mediator} = require('chaplin');
const Backbone = require('backbone');
const {fakeClock, fakeServer, fakeWindow, settle} = require('./live-fakes');

const live = app('lib/live');
const LiveStatusView = app('views/live-status-view');
const LiveNoticeView = app('views/live-notice-view');

const server = fakeServer();
const clock = fakeClock();
const browser = fakeWindow(server, clock);

// Everything published on the mediator under "live:...".
const published = [];
for (const name of ['live:change', 'live:reset', 'live:poll', 'live:state']) {
  mediator.subscribe(name, data => published.push(data === undefined ? name : [name, data]));
}

function take() {
  return published.splice(0);
}

const CHANGE = {resource: 'widgets', op: 'delete', _id: 'b'.repeat(24), document: null};

let status;
test.before(() => {
  status = new LiveStatusView({grace: 20});
});
test.after(() => status.dispose());

test('the first connection says it is live, and the pages fetch what changed before it', async () => {
  const stream = server.open();
  live.start(browser);
  await settle();
  assert.deepEqual(take(), [['live:state', 'connecting'], 'live:reset', ['live:state', 'live']]);
  assert.equal(live.state(), 'live');
  assert.equal(status.el.getAttribute('role'), 'status');
  assert.equal(status.el.dataset.state, 'live');
  assert.equal(status.el.textContent, '');
  assert.ok(window.document.body.contains(status.el));
  stream.end();
  await settle();
});

let stream;

test('a reconnection with no event id to resume from makes the pages fetch again', async () => {
  assert.deepEqual(take(), [['live:state', 'reconnecting']]);
  // Said only if it takes a while.
  assert.equal(status.el.textContent, '');
  await new Promise(resolve => setTimeout(resolve, 40));
  assert.match(status.el.textContent, /Reconnecting/);

  stream = server.open();
  clock.advance(2000);
  await settle();
  assert.deepEqual(take(), ['live:reset', ['live:state', 'live']]);
  assert.equal(status.el.textContent, '');
});

test('each change is published with its data, a reset event as live:reset', async () => {
  stream.write(`id: t1\nevent: change\ndata: ${JSON.stringify(CHANGE)}\n\n`);
  stream.write('id: t2\nevent: change\ndata: {not json\n\n');
  stream.write('id: t3\nevent: reset\ndata: \n\n');
  await settle();
  assert.deepEqual(take(), [['live:change', CHANGE], 'live:reset']);
});

test('offline, the page says so at once', async () => {
  browser.navigator.onLine = false;
  browser.dispatch('offline');
  await settle();
  assert.deepEqual(take(), [['live:state', 'offline']]);
  assert.match(status.el.textContent, /Offline/);
});

test('where the server has no live changes, the open page polls', async () => {
  browser.navigator.onLine = true;
  server.answer(503);
  browser.dispatch('online');
  await settle();
  assert.equal(server.requests.at(-1).headers['Last-Event-ID'], 't3');
  assert.deepEqual(take(), [['live:state', 'unavailable']]);
  assert.equal(status.el.textContent, '');
  clock.advance(25000);
  assert.deepEqual(take(), ['live:poll', 'live:poll']);
});

test('a 401 sends the user to log in, and back here afterwards', async () => {
  server.answer(401);
  clock.advance(60000);
  await settle();
  assert.deepEqual(browser.location.assigned, ['/login?next=%2Fwidgets%3Fpage%3D2']);
  assert.equal(take().at(-1)[1], 'unauthorized');
  // No more polling, nor reconnecting.
  const requests = server.requests.length;
  clock.advance(600000);
  await settle();
  assert.deepEqual(take(), []);
  assert.equal(server.requests.length, requests);
});

test('the notice counts the new items, and Show fetches the page again', () => {
  const collection = new Backbone.Collection();
  collection.live = {fresh: 0, stale: false};
  let fetched = 0;
  collection.fetch = () => {
    fetched += 1;
    return {done: () => {}};
  };
  const notice = new LiveNoticeView({
    collection,
    container: window.document.body,
    labels: {noun: 'widgets', itemNoun: 'widget'},
  });
  assert.equal(notice.el.getAttribute('role'), 'status');
  assert.equal(notice.el.textContent.trim(), '');

  collection.live = {fresh: 1, stale: false};
  collection.trigger('live:notice', collection.live);
  assert.match(notice.el.textContent, /1 new widget\./);
  collection.live = {fresh: 3, stale: true};
  collection.trigger('live:notice', collection.live);
  assert.match(notice.el.textContent, /3 new widgets\./);
  collection.live = {fresh: 0, stale: true};
  collection.trigger('live:notice', collection.live);
  assert.match(notice.el.textContent, /This list has changed\./);

  notice.el.querySelector('.live-notice-show').click();
  assert.equal(fetched, 1);
  notice.dispose();
});

test('a view rendered again by a change keeps the focus on the same control', () => {
  const View = app('views/base/view');
  const model = new Backbone.Model({name: 'Gear'});
  const view = new (View.extend({
    template: ({name}) =>
      `<h1>${name}</h1><a class="edit" href="#e">Edit</a><a class="delete" href="#d">Delete</a>`,
    listen: {'change model': 'render'},
  }))({model, container: window.document.body});
  view.el.querySelector('.delete').focus();
  model.set('name', 'Big gear');
  assert.equal(view.el.querySelector('h1').textContent, 'Big gear');
  assert.equal(window.document.activeElement, view.el.querySelector('.delete'));
  view.dispose();
});
