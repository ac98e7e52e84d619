// views/site-view.js: the toast (with its action) and the banner (with Retry).
const test = require('node:test');
const assert = require('node:assert/strict');
const {app, window} = require('./helpers');
const {mediator} = require('chaplin');

const {document} = window;

// A message the server flashed before rendering the index page.
const flashes = document.createElement('script');
flashes.id = 'flashes';
flashes.type = 'application/json';
flashes.textContent = JSON.stringify(['Your email address is verified. Welcome!']);
document.body.append(flashes);

// The regions it declares are registered with the layout, which the app has.
mediator.setHandler('region:register', () => {});
mediator.setHandler('region:unregister', () => {});

const SiteView = app('views/site-view');
const site = new SiteView();
const toast = () => site.el.querySelector('.toast');

test.after(() => site.dispose());

test('a flashed message is the first toast, in a status region', () => {
  assert.equal(toast().hidden, false);
  assert.equal(toast().querySelector('.site-status').textContent, flashes.textContent.slice(2, -2));
  assert.equal(toast().parentElement.getAttribute('role'), 'status');
});

test('a message with an action shows its button, which runs it once', () => {
  const runs = [];
  mediator.publish('app:status', 'Deleted “Gear”.', {
    action: {label: 'Undo', run: () => runs.push(1)},
  });
  const button = toast().querySelector('.toast-action');
  assert.equal(button.hidden, false);
  assert.equal(button.textContent, 'Undo');
  button.click();
  assert.deepEqual(runs, [1]);
  assert.equal(toast().hidden, true);

  mediator.publish('app:status', 'Changes saved.');
  assert.equal(toast().querySelector('.toast-action').hidden, true);
  assert.equal(document.activeElement.closest('.toast-region'), null);
});

test('the banner offers Retry only with something to retry', () => {
  const retries = [];
  mediator.publish('app:error', 'The server is not answering.', () => retries.push(1));
  const banner = site.el.querySelector('.banner');
  assert.equal(banner.hidden, false);
  banner.querySelector('.banner-retry').click();
  assert.deepEqual(retries, [1]);
  assert.equal(banner.hidden, true);

  mediator.publish('app:error', 'Something went wrong on the server.');
  assert.equal(banner.querySelector('.banner-retry').hidden, true);
});

test('the toast stays while the focus is on it', async t => {
  t.mock.timers.enable({apis: ['setTimeout']});
  mediator.publish('app:status', 'Deleted “Gear”.', {action: {label: 'Undo', run() {}}});
  toast().querySelector('.toast-action').focus();
  t.mock.timers.tick(60000);
  assert.equal(toast().hidden, false);
  site.el.querySelector('#main').focus();
  t.mock.timers.tick(60000);
  assert.equal(toast().hidden, true);
});
