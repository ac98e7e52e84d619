// Backbone.ajax made with fetch(), so that the bundle carries jQuery's slim
// build (no $.ajax: 6 KB less gzipped). It takes the $.ajax options that
// Backbone.sync passes (url, type, data, contentType, success, error,
// context) plus headers, timeout and global, and returns what callers of
// $.ajax expect: a promise with done/fail/always (jQuery's Deferred) and
// abort(), whose status, statusText ("abort", "timeout", "error" or the
// server's) and responseJSON are those of a jqXHR.
const $ = require('jquery');

// Run before each request with (options, headers): lib/ajax.js adds the
// CSRF header and the read timeout there, as a $.ajaxPrefilter did.
const prefilters = [];
// Run after a failed request whose `global` option is not false, after its
// own callbacks (as jQuery's ajaxError event): lib/ajax.js shows the banner.
const errorHandlers = [];

function parse(text) {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function request(options) {
  const deferred = $.Deferred();
  const controller = new AbortController();
  const type = (options.type || 'GET').toUpperCase();
  const headers = Object.assign({Accept: 'application/json'}, options.headers);
  if (options.contentType) headers['Content-Type'] = options.contentType;
  const settings = Object.assign({}, options, {type});
  for (const prefilter of prefilters) prefilter(settings, headers);

  let stopped = null; // why the request was cut short: "abort" or "timeout"
  const xhr = deferred.promise({
    status: 0,
    statusText: '',
    responseJSON: undefined,
    abort() {
      stopped = stopped || 'abort';
      controller.abort();
    },
  });
  const timer = settings.timeout
    ? setTimeout(() => {
        stopped = 'timeout';
        controller.abort();
      }, settings.timeout)
    : null;

  const init = {method: type, headers, body: settings.data, signal: controller.signal};
  fetch(settings.url, Object.assign(init, {credentials: 'same-origin'}))
    .then(async response => {
      xhr.status = response.status;
      xhr.statusText = response.statusText || String(response.status);
      xhr.responseJSON = parse(await response.text());
      return response.ok;
    })
    .catch(() => {
      xhr.status = 0;
      xhr.statusText = stopped || 'error';
      return false;
    })
    .then(ok => {
      clearTimeout(timer);
      const {context} = settings;
      if (ok) {
        if (settings.success) settings.success.call(context, xhr.responseJSON, 'success', xhr);
        deferred.resolveWith(context, [xhr.responseJSON, 'success', xhr]);
        return;
      }
      if (settings.error) settings.error.call(context, xhr, xhr.statusText, '');
      deferred.rejectWith(context, [xhr, xhr.statusText, '']);
      if (settings.global !== false) for (const handler of errorHandlers) handler(xhr, settings);
    });
  return xhr;
}

module.exports = Object.assign(request, {prefilters, errorHandlers});
