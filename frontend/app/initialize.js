const Application = require('./application');
const routes = require('./routes');
const ajax = require('./lib/ajax');
const session = require('./lib/session');

document.addEventListener('DOMContentLoaded', () => {
  ajax.setup();
  new Application({
    title: session.appName(),
    routes,
    controllerSuffix: '-controller',
    pushState: true,
  });
});
