const View = require('./base/view');
const live = require('../lib/live');

// Says, on every page, when changes made elsewhere cannot arrive: offline,
// or reconnecting. A polite live region (role=status) that is always in the
// page, empty while all is well, so that screen readers announce each change.
const MESSAGES = {
  offline: 'Offline: changes made elsewhere will show when you are back online.',
  reconnecting: 'Reconnecting…',
};
// A reconnection this quick (a server that closed the stream and answered
// again at once) is not worth a word.
const RECONNECTING_GRACE = 1500;

module.exports = View.extend({
  tagName: 'p',
  className: 'live-status',
  attributes: {role: 'status', 'aria-live': 'polite'},
  container: 'body',
  autoRender: false,
  optionNames: View.prototype.optionNames.concat(['grace']),
  grace: RECONNECTING_GRACE,

  listen: {
    'live:state mediator': 'show',
  },

  initialize() {
    View.prototype.initialize.apply(this, arguments);
    this.show(live.state());
    // Chaplin attaches a view when it renders; this one renders no template.
    this.attach();
  },

  show(state) {
    clearTimeout(this.timer);
    // For styles and tests: "live", "reconnecting", "unavailable"...
    this.el.dataset.state = state || 'connecting';
    const message = MESSAGES[state] || '';
    const write = () => {
      this.el.textContent = message;
    };
    if (state === 'reconnecting' && !this.el.textContent) {
      this.timer = setTimeout(write, this.grace);
    } else {
      write();
    }
  },

  dispose() {
    clearTimeout(this.timer);
    View.prototype.dispose.call(this);
  },
});
