// Rules for every request the app makes: Backbone.sync goes through
// Backbone.ajax, which is lib/request.js, so they live in one prefilter and
// one error handler of it.
const Backbone = require('backbone');
const {mediator, utils} = require('chaplin');
const session = require('./session');
const request = require('./request');

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
// A read the server has not answered by then fails with a message (and a
// Retry) instead of "Loading…" for as long as the server takes to give up.
const READ_TIMEOUT_MS = 3000;

// Statuses a view can explain beside what the user did; anything else is
// the server's or the network's fault and gets the site-wide banner.
const VIEW_STATUSES = [400, 404, 409, 412];

function loginUrl() {
  const here = window.location.pathname + window.location.search;
  return `/login?next=${encodeURIComponent(here)}`;
}

function errorMessage(xhr) {
  const body = xhr.responseJSON;
  if (body && typeof body.error === 'string') return body.error;
  if (xhr.statusText === 'timeout') return 'The server is not answering. Try again in a moment.';
  if (xhr.status === 0) return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong on the server. Try again in a moment.';
}

// Retry loads the page again (its controller, from the start): what failed
// was a read, the page is not built yet, so nothing the user typed is lost.
// A failed write has none: the user's own button sends it again.
function retry(settings) {
  if (!SAFE_METHODS.includes(settings.type.toUpperCase())) return null;
  return () => {
    const url = window.location.pathname + window.location.search;
    utils.redirectTo({url}, {forceStartup: true});
  };
}

function handleError(xhr, settings) {
  // Aborted on purpose: the page that asked is gone (models/base/syncing.js).
  if (xhr.statusText === 'abort') return;
  if (VIEW_STATUSES.includes(xhr.status)) return;
  if (xhr.status === 401) {
    // The session expired: log in again, then come back here.
    window.location.assign(loginUrl());
    return;
  }
  mediator.publish('app:error', errorMessage(xhr), retry(settings));
}

// Also where lib/live.js sends the user when the event stream answers 401.
exports.loginUrl = loginUrl;

function prefilter(options, headers) {
  if (!SAFE_METHODS.includes(options.type)) {
    headers['X-CSRFToken'] = session.csrfToken();
  } else if (!options.timeout) {
    options.timeout = READ_TIMEOUT_MS;
  }
}

exports.setup = () => {
  Backbone.ajax = request;
  request.prefilters.push(prefilter);
  request.errorHandlers.push(handleError);
};
