// Rules for every request the app makes: Backbone.sync goes through
// jQuery.ajax, so they live in one jQuery prefilter and one error handler.
const $ = require('jquery');
const {mediator} = require('chaplin');
const session = require('./session');

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

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
  if (xhr.status === 0) return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong on the server. Try again in a moment.';
}

function handleError(event, xhr) {
  // Aborted on purpose: the page that asked is gone (models/base/syncing.js).
  if (xhr.statusText === 'abort') return;
  if (VIEW_STATUSES.includes(xhr.status)) return;
  if (xhr.status === 401) {
    // The session expired: log in again, then come back here.
    window.location.assign(loginUrl());
    return;
  }
  mediator.publish('app:error', errorMessage(xhr));
}

// Also where lib/live.js sends the user when the event stream answers 401.
exports.loginUrl = loginUrl;

exports.setup = () => {
  $.ajaxPrefilter((options, originalOptions, xhr) => {
    if (!SAFE_METHODS.includes(options.type.toUpperCase())) {
      xhr.setRequestHeader('X-CSRFToken', session.csrfToken());
    }
  });
  $(document).on('ajaxError', handleError);
};
