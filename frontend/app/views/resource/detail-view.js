const {mediator, utils} = require('chaplin');
const View = require('../base/view');
const confirm = require('../../lib/confirm');

// A field's value as the detail page reads it out.
function shown(field, value) {
  if (field.widget === 'checkbox') return {text: value ? 'Yes' : 'No'};
  const text = value == null ? '' : String(value);
  return text.trim() === '' ? {text: 'None', empty: true} : {text};
}

// One item: "Loading…", then its fields with Edit and Delete; or "not
// found". Renders from the model whenever it changes.
module.exports = View.extend({
  template: require('../../templates/resource/detail'),

  events: {
    'click .resource-delete': 'delete',
  },

  drawsOnlyItsData: true, // the same item fetched again keeps its buttons (base/view.js)

  listen: {
    'synced model': 'render',
    'change model': 'render',
    'error model': 'failed',
    'live:deleted model': 'deletedElsewhere', // lib/live/follow.js
  },

  getTemplateData() {
    return Object.assign(View.prototype.getTemplateData.call(this), {
      missing: this.missing,
      fields: this.shownFields(),
    });
  },

  // Every field but the title, which is the heading.
  shownFields() {
    const {fields, title_field} = this.resource.description;
    return fields
      .filter(field => field.name !== title_field)
      .map(field =>
        Object.assign(
          {name: field.name, label: field.label, multiline: field.widget === 'textarea'},
          shown(field, this.model.get(field.name)),
        ),
      );
  },

  delete() {
    const title = this.model.title();
    const {itemNoun} = this.resource.labels;
    confirm
      .ask({
        title: `Delete this ${itemNoun}?`,
        message: `“${title}” will be deleted.`,
        confirmLabel: `Delete ${itemNoun}`,
      })
      .then(confirmed => confirmed && !this.disposed && this.destroy(title));
  },

  // Deleted at once, as the dialog said and as other tabs and devices see
  // it; the toast's Undo creates it again from its fields (a new item, with
  // a new _id: the API never brings a deleted one back).
  destroy(title) {
    const {Model, labels} = this.resource;
    const fields = this.resource.description.fields.map(field => field.name);
    const values = this.model.pick(fields);
    this.deleting = true;
    this.model
      .destroy({wait: true})
      .done(() => {
        const undo = () =>
          new Model().save(values, {wait: true}).done(saved => {
            mediator.publish('app:status', `Restored “${title}”.`);
            utils.redirectTo({url: `${labels.path}/${saved._id}`});
          });
        mediator.publish('app:status', `Deleted “${title}”.`, {action: {label: 'Undo', run: undo}});
        utils.redirectTo({url: labels.path});
      })
      .fail(() => {
        this.deleting = false;
      });
  },

  // Deleted by another client while shown: as if it could not be found,
  // announced, and the focus (if it was here) on the new heading.
  deletedElsewhere() {
    if (this.deleting) return; // the echo of its own deletion
    mediator.publish('app:status', `“${this.model.title()}” was deleted.`);
    if (this.el.contains(document.activeElement)) this.focusTarget = 'heading';
    this.missing = true;
    this.render();
  },

  failed(model, xhr) {
    if (xhr.status === 404) {
      this.missing = true;
      this.render();
    }
  },
});
