const View = require('./base/view');

module.exports = View.extend({
  tagName: 'li',
  className: 'widget-item',
  template: require('../templates/widget-item'),
});
