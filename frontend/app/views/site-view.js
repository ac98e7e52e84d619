const View = require('./base/view');
const session = require('../lib/session');

// How long a toast stays; one with an action (Undo) a little longer.
const TOAST_MS = 5000;
const TOAST_ACTION_MS = 8000;

// The frame around every page: header with a link to each resource, the
// user, the theme toggle and logout, the error banner (with Retry), the
// toast that tells the outcome of each action, and the `main` region.
module.exports = View.extend({
  container: '#app',
  regions: {main: '#main'},
  template: require('../templates/site'),

  events: {
    'click .banner-dismiss': 'hideBanner',
    'click .banner-retry': 'retry',
    'click .toast-dismiss': 'hideToast',
    'click .toast-action': 'runToastAction',
    // It stays while the pointer or the focus is on it (WCAG 2.2.1).
    'mouseenter .toast': 'holdToast',
    'focusin .toast': 'holdToast',
    'mouseleave .toast': 'releaseToast',
    'focusout .toast': 'releaseToast',
  },

  listen: {
    'app:error mediator': 'showBanner',
    'app:status mediator': 'announce',
    'dispatcher:dispatch mediator': 'dispatched',
  },

  getTemplateData() {
    return {
      user: session.user(),
      resources: session.resources(),
      csrfToken: session.csrfToken(),
      appName: session.appName(),
    };
  },

  render() {
    View.prototype.render.call(this);
    // static/theme.js set the theme before this header existed.
    const dark = document.documentElement.dataset.theme === 'dark';
    this.el.querySelector('.theme-toggle').setAttribute('aria-pressed', String(dark));
    // What the server said before sending the user here (Flask's flash()).
    const [flash] = session.flashes();
    if (flash) this.announce(flash);
    return this;
  },

  // A new page starts with a clean slate, and the header says whose it is.
  dispatched(controller, params) {
    this.hideBanner();
    for (const link of this.el.querySelectorAll('.site-sections a')) {
      if (link.dataset.resource === params.resource) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  },

  // `retry`: what the Retry button does (lib/ajax.js), or none.
  showBanner(message, retry) {
    this.retryAction = retry;
    this.el.querySelector('.banner-message').textContent = message;
    this.el.querySelector('.banner-retry').hidden = !retry;
    this.el.querySelector('.banner').hidden = false;
  },

  hideBanner() {
    this.retryAction = null;
    this.el.querySelector('.banner').hidden = true;
  },

  retry() {
    const action = this.retryAction;
    this.hideBanner();
    if (action) action();
  },

  // A message for everyone: shown, and read out by screen readers.
  // `action`: {label, run}, a button in the toast (Undo).
  announce(message, {action} = {}) {
    const toast = this.el.querySelector('.toast');
    const button = toast.querySelector('.toast-action');
    this.toastAction = action;
    toast.querySelector('.site-status').textContent = message;
    button.hidden = !action;
    button.textContent = action ? action.label : '';
    toast.hidden = false;
    this.releaseToast();
  },

  holdToast() {
    clearTimeout(this.announceTimer);
  },

  releaseToast() {
    clearTimeout(this.announceTimer);
    if (this.disposed) return; // focus leaving as the page goes away
    const delay = this.toastAction ? TOAST_ACTION_MS : TOAST_MS;
    this.announceTimer = setTimeout(() => this.hideToast(), delay);
  },

  hideToast() {
    if (this.disposed) return;
    // The focus was on one of its buttons: give it to the page, not to <body>.
    const toast = this.el.querySelector('.toast');
    if (toast.contains(document.activeElement)) this.el.querySelector('#main').focus();
    clearTimeout(this.announceTimer);
    this.toastAction = null;
    toast.hidden = true;
    toast.querySelector('.site-status').textContent = '';
  },

  runToastAction() {
    const action = this.toastAction;
    this.hideToast();
    if (action) action.run();
  },

  dispose() {
    clearTimeout(this.announceTimer);
    View.prototype.dispose.call(this);
  },
});
