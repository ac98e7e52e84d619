const View = require('../base/view');

// One item in the list: a link to it. Shows the model as it is now, so a
// change made while the list is open appears in place.
module.exports = View.extend({
  tagName: 'li',
  className: 'resource-item',
  template: require('../../templates/resource/item'),

  listen: {
    'change model': 'render',
  },
});
