const View = require('./base/view');

// Above a list: "3 new widgets" or "This list has changed", with a button
// that fetches the page again, when live changes (lib/live/follow.js) bring
// what the open page cannot show in place.
module.exports = View.extend({
  template: require('../templates/live/notice'),
  className: 'live-notice-region',
  attributes: {role: 'status'},
  optionNames: View.prototype.optionNames.concat(['labels']),

  events: {
    'click .live-notice-show': 'reload',
  },

  listen: {
    'live:notice collection': 'render',
  },

  getTemplateData() {
    const {fresh = 0, stale = false} = this.collection.live || {};
    const {noun, itemNoun} = this.labels;
    let message = '';
    if (fresh) message = `${fresh} new ${fresh === 1 ? itemNoun : noun}`;
    else if (stale) message = 'This list has changed';
    return {message};
  },

  reload() {
    // The button goes with the notice: the focus goes to the heading.
    this.collection.fetch().done(() => {
      const heading = document.querySelector('h1');
      if (heading) heading.focus();
    });
  },
});
