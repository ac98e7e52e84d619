const Model = require('./base/model');

const dateFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});

function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : '';
}

module.exports = Model.extend({
  idAttribute: '_id',
  urlRoot: '/api/widgets',
  defaults: {name: '', description: ''},

  serialize() {
    const data = Model.prototype.serialize.call(this);
    data.created = formatDate(data.created_at);
    data.updated = formatDate(data.updated_at);
    return data;
  },
});
