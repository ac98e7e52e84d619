const Chaplin = require('chaplin');
const SiteView = require('../../views/site-view');

module.exports = Chaplin.Controller.extend({
  // The site frame (header, banner) is kept from one page to the next.
  beforeAction() {
    this.reuse('site', SiteView);
  },

  // Where focus goes on the new page: back to the control the user was using
  // if the action came from one, else to the heading (which screen readers
  // announce), except on the first page load, where the browser decides.
  focusTarget(route, options) {
    if (options.focus) return options.focus;
    return route.previous ? 'heading' : null;
  },
});
