// Loads the app's modules in Node as the browser gets them: a jsdom window
// for jQuery, Backbone and Chaplin, whose bootstrap describes the resources
// of ./descriptions.js; Brunch's global require, which names every module;
// .hbs templates compiled when required; and a fake server answering
// fetch(), so requests go through every layer the app has (Backbone.sync,
// lib/request.js and its prefilters) and nothing leaves the process.
const fs = require('node:fs');
const path = require('node:path');
const Handlebars = require('handlebars');
const {JSDOM} = require('jsdom');
const {WIDGETS, TASKS} = require('./descriptions');

const APP_DIR = path.join(__dirname, '..', 'app');
const BOOTSTRAP = {_id: 'u1', email: 'ann@example.com', resources: [WIDGETS, TASKS]};

const PAGE = `<!doctype html>
<html>
<head>
  <meta name="application-name" content="Flaskbone">
  <meta name="csrf-token" content="the-csrf-token">
</head>
<body>
  <script id="bootstrap" type="application/json">${JSON.stringify(BOOTSTRAP)}</script>
  <div id="app"></div>
</body>
</html>`;

const dom = new JSDOM(PAGE, {url: 'http://localhost/widgets?page=2'});
global.window = dom.window;
global.document = dom.window.document;

// As brunch-config.js compiles them: for Handlebars' own helpers only.
require.extensions['.hbs'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  module.exports = Handlebars.compile(source, {knownHelpersOnly: true});
};

// Requires a module of frontend/app by its Brunch name, "models/resource-model".
function app(name) {
  return require(path.join(APP_DIR, name));
}

// Brunch's global require: modules by name, and list(), their file names.
function moduleNames(dir = APP_DIR) {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? moduleNames(file) : [path.relative(APP_DIR, file)];
  });
}
dom.window.require = Object.assign(name => app(name), {list: () => moduleNames()});

// The app's requests go through Backbone.ajax, which is lib/request.js
// (lib/ajax.js sets it up in the browser), and so through fetch(): faked.
require('backbone').ajax = app('lib/request');

const server = {
  requests: [],
  // Each test sets how the server answers: request => {status, body}, or
  // null for no answer at all.
  respond: () => ({status: 404, body: {error: 'Not found.'}}),
};

// A fetch() that asks server.respond, a moment later; status 0 is a network
// failure. It honours the abort signal, as the browser's does.
global.fetch = (url, init = {}) => {
  const request = {
    method: init.method || 'GET',
    url,
    headers: init.headers || {},
    body: init.body ? JSON.parse(init.body) : undefined,
  };
  server.requests.push(request);
  return new Promise((resolve, reject) => {
    const failed = () => reject(new DOMException('The operation was aborted.', 'AbortError'));
    if (init.signal) init.signal.addEventListener('abort', failed);
    setTimeout(() => {
      const answer = server.respond(request);
      if (!answer) return; // a server that never answers
      const {status, body} = answer;
      if (status === 0) return reject(new TypeError('Failed to fetch'));
      const text = body === undefined ? null : JSON.stringify(body);
      const headers = {'Content-Type': 'application/json'};
      resolve(new Response(status === 204 ? null : text, {status, headers}));
    });
  });
};
dom.window.fetch = global.fetch;

// Resolves when a jqXHR settles, whichever way.
function settled(xhr) {
  return new Promise(resolve => xhr.always(() => resolve()));
}

module.exports = {app, server, settled, window: dom.window, WIDGETS, TASKS};
