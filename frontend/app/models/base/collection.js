const Chaplin = require('chaplin');
const syncing = require('./syncing');
const Model = require('./model');

module.exports = syncing(Chaplin.Collection).extend({
  model: Model,
});
