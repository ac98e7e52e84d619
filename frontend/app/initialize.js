const Application = require('./application');
const routes = require('./routes');
const ajax = require('./lib/ajax');
const session = require('./lib/session');
const live = require('./lib/live');
const LiveStatusView = require('./views/live-status-view');

document.addEventListener('DOMContentLoaded', () => {
  ajax.setup();
  new Application({
    title: session.appName(),
    routes,
    controllerSuffix: '-controller',
    pushState: true,
  });
  // Changes made elsewhere, for the open pages to follow (lib/live.js).
  live.start();
  new LiveStatusView();
});
