// Loads the app's modules in Node as the browser gets them: a jsdom window
// for jQuery, Backbone and Chaplin; .hbs templates compiled when required;
// and a fake server answering jQuery.ajax, so requests go through every
// layer the app has (prefilters included) and nothing leaves the process.
const fs = require('node:fs');
const path = require('node:path');
const Handlebars = require('handlebars');
const {JSDOM} = require('jsdom');

const PAGE = `<!doctype html>
<html>
<head>
  <meta name="application-name" content="Flaskbone">
  <meta name="csrf-token" content="the-csrf-token">
</head>
<body>
  <script id="bootstrap" type="application/json">{"_id": "u1", "email": "ann@example.com"}</script>
  <div id="app"></div>
</body>
</html>`;

const dom = new JSDOM(PAGE, {url: 'http://localhost/widgets?page=2'});
global.window = dom.window;
global.document = dom.window.document;

require.extensions['.hbs'] = (module, filename) => {
  module.exports = Handlebars.compile(fs.readFileSync(filename, 'utf8'));
};

const $ = require('jquery');

const server = {
  requests: [],
  // Each test sets how the server answers: request => {status, body}.
  respond: () => ({status: 404, body: {error: 'Not found.'}}),
};

$.ajaxTransport('+*', options => ({
  send(headers, complete) {
    const request = {
      method: options.type,
      url: options.url,
      headers,
      body: options.data ? JSON.parse(options.data) : undefined,
    };
    server.requests.push(request);
    const {status, body} = server.respond(request);
    const text = body === undefined ? '' : JSON.stringify(body);
    setTimeout(() =>
      complete(status, String(status), {text}, 'Content-Type: application/json\r\n'),
    );
  },
  abort() {},
}));

// Requires a module of frontend/app by its Brunch name, "models/widget".
function app(name) {
  return require(path.join(__dirname, '..', 'app', name));
}

// Resolves when a jqXHR settles, whichever way.
function settled(xhr) {
  return new Promise(resolve => xhr.always(() => resolve()));
}

module.exports = {app, server, settled, window: dom.window};
