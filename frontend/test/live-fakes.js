// Fakes for the live layer's tests: a browser window's worth of globals
// (fetch, timers, online/offline events) and a server whose /api/events
// answers the test writes, chunk by chunk.

// A clock the test moves.
function fakeClock() {
  let now = 0;
  let timers = [];
  let next = 1;
  return {
    setTimeout(fn, ms) {
      timers.push({id: next, at: now + ms, fn});
      return next++;
    },
    clearTimeout(id) {
      timers = timers.filter(timer => timer.id !== id);
    },
    setInterval(fn, ms) {
      const id = next;
      const again = () => {
        timers.push({id, at: now + ms, fn: () => (again(), fn())});
      };
      next += 1;
      again();
      return id;
    },
    clearInterval(id) {
      timers = timers.filter(timer => timer.id !== id);
    },
    // Runs the timers due within `ms`, in order.
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter(timer => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter(timer => timer !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

// A server whose answers are queued by the test: each fetch takes the next
// one, a stream (open()) or a status, and records its request.
function fakeServer() {
  const answers = [];
  const requests = [];
  const encoder = new TextEncoder();
  const server = {
    requests,
    // A 200 event stream; returns its controls: write(text), end(), fail().
    open() {
      let controller;
      const body = new ReadableStream({
        start(c) {
          controller = c;
        },
      });
      const stream = {
        write: text => controller.enqueue(encoder.encode(text)),
        end: () => controller.close(),
        fail: () => controller.error(new TypeError('network error')),
      };
      const response = new Response(body, {headers: {'Content-Type': 'text/event-stream'}});
      // An aborted request fails its body, as a browser's does.
      response.abort = () => controller.error(new DOMException('Aborted', 'AbortError'));
      answers.push(() => response);
      return stream;
    },
    answer(status, headers = {}) {
      answers.push(() => new Response('{"error": "no"}', {status, headers}));
    },
    unreachable() {
      answers.push(() => Promise.reject(new TypeError('Failed to fetch')));
    },
    fetch(url, options) {
      requests.push({url, headers: options.headers});
      const next = answers.shift();
      if (!next) return new Promise(() => {}); // a server that never answers
      const response = next();
      if (response instanceof Promise) return response;
      if (response.abort) options.signal.addEventListener('abort', response.abort);
      return Promise.resolve(response);
    },
  };
  return server;
}

function fakeWindow(server, clock) {
  const listeners = {};
  return {
    fetch: (url, options) => server.fetch(url, options),
    AbortController,
    ReadableStream,
    Response,
    TextDecoderStream,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    setInterval: clock.setInterval,
    clearInterval: clock.clearInterval,
    navigator: {onLine: true},
    // Where the page was sent.
    location: {
      assigned: [],
      assign(url) {
        this.assigned.push(url);
      },
    },
    addEventListener(name, fn) {
      listeners[name] = fn;
    },
    removeEventListener(name) {
      delete listeners[name];
    },
    listening: name => name in listeners,
    dispatch(name) {
      if (listeners[name]) listeners[name]();
    },
  };
}

// Lets the promises in flight settle (fetch answers, stream reads).
function settle() {
  return new Promise(resolve => setImmediate(resolve));
}

module.exports = {fakeClock, fakeServer, fakeWindow, settle};
