// lib/request.js: Backbone.ajax made with fetch(), answering as a jqXHR does.
const test = require('node:test');
const assert = require('node:assert/strict');
const {app, server, settled} = require('./helpers');

const request = app('lib/request');

const failures = [];
request.errorHandlers.push((xhr, settings) => failures.push([xhr.statusText, settings.url]));

test.beforeEach(() => {
  server.requests.length = 0;
  failures.length = 0;
});

test('a success calls back with the JSON, then resolves', async () => {
  server.respond = () => ({status: 200, body: {ok: true}});
  const calls = [];
  const xhr = request({url: '/api/x', success: body => calls.push(['success', body])});
  xhr.done((body, status, same) => calls.push(['done', body, status, same === xhr]));
  await settled(xhr);
  assert.deepEqual(calls, [
    ['success', {ok: true}],
    ['done', {ok: true}, 'success', true],
  ]);
  assert.equal(xhr.status, 200);
  assert.deepEqual(server.requests[0].headers, {Accept: 'application/json'});
});

test('an error status rejects with the body, then tells the error handlers', async () => {
  server.respond = () => ({status: 400, body: {error: 'Bad.'}});
  const xhr = request({
    url: '/api/x',
    type: 'put',
    data: '{"a":1}',
    contentType: 'application/json',
  });
  // Wrapped: the jqXHR is a thenable, which a promise would adopt.
  const [failed] = await new Promise(resolve => xhr.fail(same => resolve([same])));
  assert.equal(failed.responseJSON.error, 'Bad.');
  assert.deepEqual(server.requests[0].body, {a: 1});
  assert.equal(server.requests[0].method, 'PUT');
  assert.deepEqual(failures, [['400', '/api/x']]);
});

test('a request that takes too long fails as "timeout", an aborted one as "abort"', async () => {
  server.respond = () => null;
  const slow = request({url: '/api/slow', timeout: 5});
  await settled(slow);
  assert.deepEqual([slow.status, slow.statusText], [0, 'timeout']);

  const gone = request({url: '/api/gone', global: false});
  gone.abort();
  await settled(gone);
  assert.equal(gone.statusText, 'abort');
  assert.deepEqual(failures, [['timeout', '/api/slow']]);
});

test('a 204 resolves with no body', async () => {
  server.respond = () => ({status: 204});
  const xhr = request({url: '/api/x/1', type: 'DELETE'});
  await settled(xhr);
  assert.equal(xhr.state(), 'resolved');
  assert.equal(xhr.responseJSON, undefined);
});
