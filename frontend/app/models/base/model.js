const Chaplin = require('chaplin');
const syncing = require('./syncing');

module.exports = syncing(Chaplin.Model).extend({
  // Chaplin's serialize() returns Object.create(attributes), and Handlebars
  // (>= 4.6) refuses to read inherited properties: hand templates a plain copy.
  serialize() {
    return Object.assign({}, this.attributes);
  },
});
