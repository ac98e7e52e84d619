// Live changes: what /api/events says, published on Chaplin's mediator for
// the pages that follow it (lib/live/follow.js):
//   "live:change" (the event's data: {resource, op, _id, document})
//   "live:reset"  (changes may have been missed: fetch again), also when the
//                 stream first opens, after the page's first fetches
//   "live:poll"   (no live changes here: fetch again, every POLL_INTERVAL)
//   "live:state"  ("connecting", "live", "reconnecting", "offline",
//                  "unavailable", "unauthorized"), which views/live-status-view.js shows.
// The connection is shared by the browser's tabs (lib/live/share.js).
const {mediator} = require('chaplin');
const Connection = require('./live/connection');
const SharedStream = require('./live/share');
const session = require('./session');
const ajax = require('./ajax');

const EVENTS_URL = '/api/events';
const POLL_INTERVAL = 10000;

// The window (a fake one in the unit tests), the stream, its last state.
let env = window;
let stream = null;
let state = null;
let pollTimer = null;
let missed = false;
let opened = false;

// Streaming fetch is what the connection reads with; without it, poll.
function canStream() {
  return Boolean(
    env.fetch &&
    env.ReadableStream &&
    env.TextDecoderStream &&
    env.AbortController &&
    'body' in env.Response.prototype,
  );
}

function setPolling(on) {
  if (on && !pollTimer) {
    pollTimer = env.setInterval(() => mediator.publish('live:poll'), POLL_INTERVAL);
  } else if (!on && pollTimer) {
    env.clearInterval(pollTimer);
    pollTimer = null;
  }
}

function changeState(next) {
  if (next === state) return;
  const previous = state;
  state = next;
  setPolling(next === 'unavailable');
  if (next === 'unauthorized') {
    // The session ended (logout elsewhere, expiry): log in again, as ajax.js does.
    env.location.assign(ajax.loginUrl());
  }
  // Fetch what the stream cannot tell of: the first time it is live, the
  // changes since the page's first fetches, which went out before it opened;
  // later, a gap that no event id covers (changes came through polling).
  const gap = previous && previous !== 'connecting' && missed;
  if (next === 'live' && (!opened || gap)) mediator.publish('live:reset');
  if (next === 'live') opened = true;
  if (next !== 'live' && next !== 'connecting') missed = !stream.lastEventId;
  mediator.publish('live:state', next);
}

function deliver(message) {
  if (message.kind === 'state') return changeState(message.state);
  const {type, data} = message.event;
  if (type === 'reset') return mediator.publish('live:reset');
  if (type !== 'change') return;
  let change;
  try {
    change = JSON.parse(data);
  } catch {
    return; // not an event of the contract's format: nothing to merge
  }
  mediator.publish('live:change', change);
}

// Starts following the stream, once per page load (initialize.js).
exports.start = (browser = window) => {
  if (stream) return;
  env = browser;
  const user = session.user();
  stream = new SharedStream({
    // One stream per user: tabs of another login never share it.
    name: `live-changes:${user._id}`,
    env,
    deliver,
    connect: ({lastEventId, onEvent, onState}) => {
      if (!canStream()) return {start: () => onState('unavailable'), stop() {}};
      return new Connection({url: EVENTS_URL, lastEventId, onEvent, onState, env});
    },
  });
  stream.start();
};

exports.state = () => state;
