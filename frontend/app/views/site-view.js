const View = require('./base/view');
const session = require('../lib/session');

// The frame around every page: header with a link to each resource, the
// user and logout, the error banner, a live region for status messages, and
// the `main` region.
module.exports = View.extend({
  container: '#app',
  regions: {main: '#main'},
  template: require('../templates/site'),

  events: {
    'click .banner-dismiss': 'hideBanner',
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

  // A new page starts with a clean slate, and the header says whose it is.
  dispatched(controller, params) {
    this.hideBanner();
    for (const link of this.el.querySelectorAll('.site-sections a')) {
      if (link.dataset.resource === params.resource) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  },

  showBanner(message) {
    this.el.querySelector('.banner-message').textContent = message;
    this.el.querySelector('.banner').hidden = false;
  },

  hideBanner() {
    this.el.querySelector('.banner').hidden = true;
  },

  announce(message) {
    const status = this.el.querySelector('.site-status');
    status.textContent = message;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      status.textContent = '';
    }, 5000);
  },

  dispose() {
    clearTimeout(this.announceTimer);
    View.prototype.dispose.call(this);
  },
});
