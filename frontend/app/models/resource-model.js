const Model = require('./base/model');

const dateFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});

function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : '';
}

// An item of a resource: `ResourceModel.describe(description)` makes the
// class of one resource from the description the server sends
// (lib/session.js), which it keeps as `description`.
module.exports = Model.extend(
  {
    idAttribute: '_id',

    // The item's name in lists and headings: its title field, which may be
    // blank when the resource does not require it.
    title() {
      const title = this.get(this.description.title_field);
      return title == null || String(title).trim() === '' ? 'Untitled' : String(title);
    },

    // Its page in the app.
    path() {
      return `/${this.description.name}/${encodeURIComponent(this.id)}`;
    },

    serialize() {
      const data = Model.prototype.serialize.call(this);
      return Object.assign(data, {
        title: this.title(),
        path: this.path(),
        created: formatDate(data.created_at),
        updated: formatDate(data.updated_at),
      });
    },
  },
  {
    describe(description) {
      const defaults = {};
      for (const field of description.fields) defaults[field.name] = field.default;
      return this.extend({description, urlRoot: description.url, defaults});
    },
  },
);
