// The live stream's connection (lib/live/connection.js), its parser
// (lib/live/sse.js) and its sharing between tabs (lib/live/share.js), against
// a fake server that answers fetch() with streams the test writes to.
const test = require('node:test');
const assert = require('node:assert/strict');
const {app} = require('./helpers');

const {createParser} = app('lib/live/sse');
const Connection = app('lib/live/connection');
const SharedStream = app('lib/live/share');

const {fakeClock, fakeServer, fakeWindow, settle} = require('./live-fakes');

const CHANGE = {resource: 'tasks', op: 'delete', _id: 'a'.repeat(24), document: null};

async function connected(options = {}) {
  const server = fakeServer();
  const clock = fakeClock();
  const env = fakeWindow(server, clock);
  const events = [];
  const states = [];
  const connection = new Connection({
    url: '/api/events',
    env,
    onEvent: event => events.push(event),
    onState: state => states.push(state),
    ...options,
  });
  return {server, clock, env, events, states, connection};
}

function changeEvent(id, data = CHANGE) {
  return `id: ${id}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`;
}

// --- The parser -------------------------------------------------------------

test('the parser reads events split anywhere, with any line ending', () => {
  const events = [];
  const comments = [];
  const parser = createParser({
    onEvent: event => events.push(event),
    onComment: text => comments.push(text),
  });
  const text =
    ': keep-alive\r\nid: t1\r\nevent: change\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid: t2\rdata:x\r\r\n';
  for (const char of text) parser.feed(char);
  assert.deepEqual(events, [
    {type: 'change', data: '{"a":\n1}', id: 't1'},
    {type: 'message', data: 'x', id: 't2'},
  ]);
  assert.deepEqual(comments, [' keep-alive']);
});

test('the parser keeps the last id for later events, and dispatches nothing without data', () => {
  const events = [];
  const ids = [];
  const parser = createParser({onEvent: event => events.push(event), onId: id => ids.push(id)});
  parser.feed('id: t1\nevent: reset\n\ndata: later\n\n: keep-alive\n\n');
  assert.deepEqual(events, [{type: 'message', data: 'later', id: 't1'}]);
  assert.deepEqual(ids, ['t1']);
  assert.equal(parser.lastEventId, 't1');
});

// --- One connection -------------------------------------------------------

test('events reach the app with their ids, keep-alive comments do not', async () => {
  const {server, events, states, connection} = await connected();
  const stream = server.open();
  connection.start();
  await settle();
  stream.write(': keep-alive\n\n');
  stream.write(changeEvent('t1'));
  await settle();
  assert.deepEqual(states, ['connecting', 'live']);
  assert.deepEqual(events, [{type: 'change', data: JSON.stringify(CHANGE), id: 't1'}]);
  assert.equal(server.requests[0].headers.Accept, 'text/event-stream');
  assert.equal(server.requests[0].headers['Last-Event-ID'], undefined);
  connection.stop();
});

test('after the server closes the stream, it reconnects with Last-Event-ID', async () => {
  const {server, clock, states, connection} = await connected();
  const first = server.open();
  connection.start();
  await settle();
  first.write(changeEvent('t1') + changeEvent('t2'));
  // A keep-alive with the point to resume from, past the last change.
  first.write(': keep-alive\nid: t3\n\n');
  first.end();
  await settle();
  assert.equal(states.at(-1), 'reconnecting');

  server.open();
  clock.advance(2000);
  await settle();
  assert.equal(server.requests.length, 2);
  assert.equal(server.requests[1].headers['Last-Event-ID'], 't3');
  assert.equal(states.at(-1), 'live');
  connection.stop();
});

test('a lost network is retried with growing delays, at once when back online', async () => {
  const {server, clock, env, states, connection} = await connected();
  server.unreachable();
  connection.start();
  await settle();
  assert.equal(states.at(-1), 'reconnecting');

  server.unreachable();
  clock.advance(1500); // the first delay: 1 s, give or take a quarter
  await settle();
  assert.equal(server.requests.length, 2);
  env.navigator.onLine = false;
  server.unreachable();
  clock.advance(3000);
  await settle();
  assert.equal(server.requests.length, 3);
  assert.equal(states.at(-1), 'offline');
  // Offline, nothing is tried until the browser is back online.
  clock.advance(20000);
  await settle();
  assert.equal(server.requests.length, 3);

  env.navigator.onLine = true;
  server.open();
  env.dispatch('online');
  await settle();
  assert.equal(server.requests.length, 4);
  assert.equal(states.at(-1), 'live');
  connection.stop();
});

test('going offline drops the stream at once and says so', async () => {
  const {server, env, states, connection} = await connected();
  server.open();
  connection.start();
  await settle();
  env.navigator.onLine = false;
  env.dispatch('offline');
  await settle();
  assert.equal(states.at(-1), 'offline');
  connection.stop();
  assert.ok(!env.listening('online') && !env.listening('offline'));
});

test('a stream silent past the keep-alive interval is dropped and reopened', async () => {
  const {server, clock, connection, states} = await connected({lastEventId: 't0'});
  server.open();
  connection.start();
  await settle();
  clock.advance(44000);
  await settle();
  assert.equal(states.at(-1), 'live');
  clock.advance(2000);
  await settle();
  assert.equal(states.at(-1), 'reconnecting');
  server.open();
  clock.advance(1500);
  await settle();
  assert.equal(server.requests[1].headers['Last-Event-ID'], 't0');
  assert.equal(states.at(-1), 'live');
  connection.stop();
});

test('a 401 stops the connection: the user must log in again', async () => {
  const {server, clock, states, connection} = await connected();
  server.answer(401);
  connection.start();
  await settle();
  clock.advance(120000);
  await settle();
  assert.deepEqual(states, ['connecting', 'unauthorized']);
  assert.equal(server.requests.length, 1);
});

test('a 503 means no live changes here: the page polls, the stream is tried now and then', async () => {
  const {server, clock, states, connection} = await connected();
  server.answer(503, {'Retry-After': '60'});
  connection.start();
  await settle();
  assert.equal(states.at(-1), 'unavailable');
  clock.advance(30000);
  await settle();
  assert.equal(server.requests.length, 1);
  server.open();
  clock.advance(30000);
  await settle();
  assert.equal(server.requests.length, 2);
  assert.equal(states.at(-1), 'live');
  connection.stop();
});

// --- One stream for the tabs of a browser ---------------------------------

// The Web Locks API of one browser: each lock goes to the first in its queue.
function fakeLocks() {
  const queues = {};
  function grant(name) {
    const queue = queues[name];
    if (!queue.length || queue.held) return;
    queue.held = true;
    Promise.resolve(queue[0]()).then(() => {
      queue.shift();
      queue.held = false;
      grant(name);
    });
  }
  return {
    request(name, callback) {
      (queues[name] = queues[name] || []).push(callback);
      grant(name);
      return Promise.resolve();
    },
  };
}

// Tabs of one browser sharing a lock manager; each has its own
// BroadcastChannel instances (Node's, which reach the others in the process).
function browser({shared = true} = {}) {
  const locks = fakeLocks();
  const connections = [];
  const tabs = [];
  function openTab() {
    const tab = {messages: []};
    const env = shared ? {navigator: {locks}, BroadcastChannel} : {navigator: {}};
    tab.stream = new SharedStream({
      name: 'live-test',
      env,
      deliver: message => tab.messages.push(message),
      connect: options => {
        const connection = {options, tab, started: false, stopped: false};
        connection.start = () => {
          connection.started = true;
          options.onState('live');
        };
        connection.stop = () => {
          connection.stopped = true;
        };
        connections.push(connection);
        return connection;
      },
    });
    tab.stream.start();
    tabs.push(tab);
    return tab;
  }
  return {openTab, connections, tabs};
}

function waitForChannel() {
  return new Promise(resolve => setTimeout(resolve, 20));
}

function eventsOf(tab) {
  return tab.messages.filter(message => message.kind === 'event').map(message => message.event.id);
}

test('the tabs of a browser share one connection, and each gets every event', async t => {
  const {openTab, connections, tabs} = browser();
  t.after(() => tabs.forEach(tab => tab.stream.stop()));
  for (let i = 0; i < 10; i += 1) openTab();
  await waitForChannel();
  assert.equal(connections.length, 1);
  const leader = connections[0];
  leader.options.onEvent({type: 'change', data: '{}', id: 't1'});
  await waitForChannel();
  for (const tab of tabs) assert.deepEqual(eventsOf(tab), ['t1']);
  // A tab that opens later hears the connection's state from the leader,
  // and where to resume from, should it lead one day.
  const late = openTab();
  await waitForChannel();
  assert.deepEqual(
    late.messages.map(message => message.state),
    ['live'],
  );
  assert.equal(late.stream.lastEventId, 't1');
});

test('when the leading tab closes, another takes over where it stopped', async t => {
  const {openTab, connections, tabs} = browser();
  t.after(() => tabs.forEach(tab => tab.stream.stop()));
  const first = openTab();
  const second = openTab();
  const third = openTab();
  await waitForChannel();
  connections[0].options.onEvent({type: 'change', data: '{}', id: 't7'});
  await waitForChannel();

  first.stream.stop();
  await waitForChannel();
  assert.equal(connections.length, 2);
  assert.ok(connections[0].stopped);
  assert.equal(connections[1].tab, second);
  assert.equal(connections[1].options.lastEventId, 't7');
  connections[1].options.onEvent({type: 'change', data: '{}', id: 't8'});
  await waitForChannel();
  assert.deepEqual(eventsOf(third), ['t7', 't8']);
  assert.deepEqual(eventsOf(first), ['t7']);
});

test('without Web Locks or BroadcastChannel, each tab keeps its own stream', async () => {
  const {openTab, connections} = browser({shared: false});
  const tabs = [openTab(), openTab()];
  await waitForChannel();
  assert.equal(connections.length, 2);
  connections[1].options.onEvent({type: 'change', data: '{}', id: 't1'});
  assert.deepEqual(eventsOf(tabs[1]), ['t1']);
  assert.deepEqual(eventsOf(tabs[0]), []);
});
