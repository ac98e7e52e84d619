// One connection to /api/events, kept open: reconnects after a network loss
// or a server restart, resuming with Last-Event-ID so that no change is
// lost, and tells its owner what state it is in.
//
// It reads the stream with fetch() rather than EventSource, which can do
// neither of two things this needs: tell a 401 (log in again) from a 503
// (the database reports no changes: poll instead) from a network failure,
// and send Last-Event-ID on a connection of its own making (the tab that
// takes over the stream from a closed one resumes where that one stopped).
const {createParser} = require('./sse');

// Reconnection delays: doubling from the first, up to the last.
const FIRST_DELAY = 1000;
const MAX_DELAY = 30000;
// The server writes a comment at least every 20 s; a connection silent for
// longer than this is dead (a network that vanished without a word).
const SILENCE_LIMIT = 45000;
// After a 503 without Retry-After, the stream is tried again this often
// while the page polls.
const UNAVAILABLE_RETRY = 60000;

// States reported through onState: "connecting" (first attempt), "live",
// "reconnecting", "offline" (the browser says it is), "unavailable" (no
// live changes here: poll), "unauthorized" (logged out: stopped).
module.exports = class Connection {
  constructor({url, onEvent, onState, lastEventId = '', env = window}) {
    this.url = url;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastEventId = lastEventId;
    this.env = env;
    this.delay = FIRST_DELAY;
    this.state = null;
    this.stopped = false;
    this.online = () => this.retryNow();
    // The browser lost its network: the stream is as good as gone, say so now.
    this.offline = () => this.abort && this.abort.abort();
    env.addEventListener('online', this.online);
    env.addEventListener('offline', this.offline);
  }

  start() {
    this.setState('connecting');
    this.open();
  }

  stop() {
    this.stopped = true;
    this.env.clearTimeout(this.retryTimer);
    this.env.clearTimeout(this.silenceTimer);
    this.env.removeEventListener('online', this.online);
    this.env.removeEventListener('offline', this.offline);
    if (this.abort) this.abort.abort();
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  async open() {
    if (this.stopped) return;
    this.abort = new this.env.AbortController();
    const headers = {Accept: 'text/event-stream'};
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    let response;
    try {
      response = await this.env.fetch(this.url, {
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: this.abort.signal,
      });
    } catch {
      return this.lost();
    }
    if (response.status === 401) {
      this.setState('unauthorized');
      return this.stop();
    }
    const type = response.headers.get('Content-Type') || '';
    if (response.ok && type.startsWith('text/event-stream') && response.body) {
      return this.read(response.body);
    }
    if (response.status === 503 || response.status === 404 || response.status === 501) {
      return this.unavailable(response);
    }
    return this.lost();
  }

  async read(body) {
    this.setState('live');
    this.delay = FIRST_DELAY;
    const parser = createParser({
      onEvent: event => {
        this.lastEventId = event.id;
        this.onEvent(event);
      },
      // Only a new point to resume from: passed on (to the other tabs, which
      // may resume from it) as an event of no type, which the app ignores.
      onId: id => {
        this.lastEventId = id;
        this.onEvent({type: '', data: '', id});
      },
      onRetry: ms => {
        this.delay = Math.max(ms, 100);
      },
    });
    parser.lastEventId = this.lastEventId;
    const reader = body.pipeThrough(new this.env.TextDecoderStream()).getReader();
    try {
      for (;;) {
        this.watchSilence();
        const {done, value} = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch {
      // Aborted, or the network went: reconnect either way (unless stopped).
    }
    this.env.clearTimeout(this.silenceTimer);
    // A stream that ended (a server restart, a deploy, the session's end) is
    // reopened after the first delay; after a session's end that gets a 401.
    this.lost();
  }

  watchSilence() {
    this.env.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.env.setTimeout(() => this.abort.abort(), SILENCE_LIMIT);
  }

  lost() {
    if (this.stopped) return;
    const offline = this.env.navigator && this.env.navigator.onLine === false;
    this.setState(offline ? 'offline' : 'reconnecting');
    // Offline, the browser's `online` event says when to try again; the
    // longest delay only in case it never comes.
    const wait = offline ? MAX_DELAY : this.nextDelay();
    this.retryTimer = this.env.setTimeout(() => this.open(), wait);
  }

  unavailable(response) {
    this.setState('unavailable');
    const retryAfter = Number.parseInt(response.headers.get('Retry-After'), 10);
    const wait = retryAfter > 0 ? retryAfter * 1000 : UNAVAILABLE_RETRY;
    this.retryTimer = this.env.setTimeout(() => this.open(), wait);
  }

  // Doubling with some jitter, so that the tabs of many browsers do not all
  // come back at the same instant after a server restart.
  nextDelay() {
    const wait = this.delay * (0.75 + Math.random() / 2);
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    return wait;
  }

  // Back online: no point waiting out the delay.
  retryNow() {
    if (this.stopped || (this.state !== 'offline' && this.state !== 'reconnecting')) return;
    this.env.clearTimeout(this.retryTimer);
    this.open();
  }
};
