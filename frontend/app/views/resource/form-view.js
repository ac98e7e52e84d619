const {mediator} = require('chaplin');
const View = require('../base/view');

const fieldTemplate = require('../../templates/fields/field');

// What a field's control holds, as the API takes it.
const READERS = {
  checkbox: input => input.checked,
  // An empty number input (or one the browser cannot read) sends null,
  // which the API takes as the default (or reports, if the field is required).
  number: input => (input.value.trim() === '' ? null : Number(input.value)),
};

// What the user typed, kept in sessionStorage when a save finds the session
// expired (401): lib/ajax.js sends the user to log in, then back to this
// page, whose form comes back filled. Keyed by the page, taken once.
const drafts = {
  key: () => `draft:${window.location.pathname}`,
  keep(values) {
    try {
      window.sessionStorage.setItem(drafts.key(), JSON.stringify(values));
    } catch {
      // Storage full or disabled: the draft is lost, as before.
    }
  },
  take() {
    try {
      const draft = window.sessionStorage.getItem(drafts.key());
      window.sessionStorage.removeItem(drafts.key());
      return draft ? JSON.parse(draft) : null;
    } catch {
      return null;
    }
  },
};

function read(field, input) {
  return (READERS[field.widget] || (element => element.value))(input);
}

// A number the description gives, as an attribute value; none if null.
function attribute(number) {
  return number == null ? null : String(number);
}

// Creates or edits an item. Each field's control comes from its widget (or
// the resource's override, lib/resources.js); the server validates: a 400
// puts its messages beside their fields, a 409/412 (someone else saved
// first) offers the current version. Triggers "saved" and "cancel".
//
// An existing item is shown once it is loaded; the form then never changes
// by itself: offerCurrent() tells about a newer version without replacing
// what the user typed.
module.exports = View.extend({
  tagName: 'form',
  className: 'resource-form',
  template: require('../../templates/resource/form'),
  attributes: {novalidate: ''},

  events: {
    submit: 'save',
    'click .form-cancel': 'cancel',
    keydown: 'escape',
    'click .load-current': 'loadCurrent',
  },

  listen: {
    'error model': 'fetchFailed',
    'live:stale model': 'changedElsewhere', // lib/live/follow.js
  },

  initialize(...args) {
    View.prototype.initialize.apply(this, args);
    if (this.loading()) this.listenToOnce(this.model, 'synced', this.render);
  },

  loading() {
    return !this.model.isNew() && !this.model.isSynced();
  },

  fields() {
    return this.resource.description.fields;
  },

  getTemplateData() {
    return Object.assign(View.prototype.getTemplateData.call(this), {
      isNew: this.model.isNew(),
      loading: this.loading(),
      missing: this.missing,
    });
  },

  render() {
    if (this.draft === undefined && !this.loading()) this.draft = drafts.take();
    View.prototype.render.call(this);
    if (this.draft && !this.draftAnnounced) {
      this.draftAnnounced = true;
      mediator.publish('app:status', 'Your unsaved changes are back: save them when ready.');
    }
    const container = this.el.querySelector('.form-fields');
    if (container) container.append(...this.fields().map(field => this.renderField(field)));
    return this;
  },

  // The field's label, hint and error around the control its widget renders.
  renderField(field) {
    const data = this.fieldData(field);
    const holder = document.createElement('div');
    holder.innerHTML = fieldTemplate(data);
    holder.querySelector('.field-control').outerHTML = this.resource.fieldTemplate(field)(data);
    return holder.firstElementChild;
  },

  fieldData(field) {
    const id = `${this.resource.name}-${field.name}`;
    const {draft} = this;
    const value = draft && field.name in draft ? draft[field.name] : this.model.get(field.name);
    return {
      id,
      name: field.name,
      label: field.label,
      widget: field.widget,
      help: field.help,
      value,
      checked: value === true,
      required: field.required,
      optional: !field.required && field.widget !== 'checkbox',
      maxlength: attribute(field.max_length),
      min: attribute(field.minimum),
      max: attribute(field.maximum),
      describedBy: field.help ? `${id}-error ${id}-help` : `${id}-error`,
    };
  },

  values() {
    const values = {};
    for (const field of this.fields()) {
      values[field.name] = read(field, this.el.elements[field.name]);
    }
    return values;
  },

  save(event) {
    event.preventDefault();
    if (this.saving) return;
    this.showErrors({});
    this.setSaving(true);
    const {itemLabel} = this.resource.labels;
    const done = this.model.isNew() ? `${itemLabel} created.` : 'Changes saved.';
    this.model
      .save(this.values(), {wait: true})
      .done(() => {
        mediator.publish('app:status', done);
        this.trigger('saved', this.model);
      })
      .fail(xhr => this.failed(xhr))
      .always(() => this.setSaving(false));
  },

  cancel() {
    this.trigger('cancel');
  },

  // Escape leaves the form as Cancel does (not while a dialog is open on it).
  escape(event) {
    if (event.key === 'Escape' && !event.defaultPrevented && !this.loading()) this.cancel();
  },

  failed(xhr) {
    const body = xhr.responseJSON || {};
    if (xhr.status === 401) {
      drafts.keep(this.values()); // lib/ajax.js then goes to the login page
    } else if (xhr.status === 400) {
      this.showErrors(body.fields || {}, body.error);
    } else if (xhr.status === 409 || xhr.status === 412) {
      this.offerCurrent(body.current);
    } else if (xhr.status === 404) {
      this.showAlert('.form-missing');
    }
  },

  // The item to edit could not be loaded.
  fetchFailed(model, xhr) {
    if (xhr.status === 404 && this.loading()) {
      this.missing = true;
      this.render();
    }
  },

  // Someone else saved the item since the form was filled in: say so and
  // offer their version (`current`, as the API returns it). After a failed
  // save, the focus goes to the offer; {focus: false} only shows it (for a
  // change that arrives while the user types).
  offerCurrent(current, {focus = true} = {}) {
    this.current = current;
    this.showAlert('.form-conflict');
    if (focus) this.el.querySelector('.load-current').focus();
  },

  // Saved or deleted (null) by another client while the form is open.
  changedElsewhere(current) {
    if (current) this.offerCurrent(current, {focus: false});
    else this.showAlert('.form-missing');
  },

  loadCurrent() {
    this.draft = null;
    this.model.set(this.current);
    this.focusTarget = this.fields().length ? this.fields()[0].name : 'heading';
    this.render();
    mediator.publish('app:status', 'Loaded the current version.');
  },

  // Each field shows its own messages; errors about anything else (there
  // should be none) go to the form's alert.
  showErrors(fields, message) {
    let firstInvalid = null;
    for (const field of this.fields()) {
      const input = this.el.elements[field.name];
      const messages = fields[field.name] || [];
      const element = input.closest('.field');
      element.classList.toggle('field-invalid', messages.length > 0);
      element.querySelector('.field-error').textContent = messages.join(' ');
      input.setAttribute('aria-invalid', messages.length > 0 ? 'true' : 'false');
      if (messages.length && !firstInvalid) firstInvalid = input;
    }
    const formMessage = firstInvalid ? '' : message || '';
    this.el.querySelector('.form-error').textContent = formMessage;
    this.showAlert(formMessage ? '.form-error' : null);
    if (firstInvalid) firstInvalid.focus();
  },

  showAlert(selector) {
    for (const alert of this.el.querySelectorAll('.form-alert')) {
      alert.hidden = !selector || !alert.matches(selector);
    }
  },

  setSaving(saving) {
    if (this.disposed) return;
    this.saving = saving;
    const button = this.el.querySelector('[type="submit"]');
    // aria-disabled, not disabled: disabling the button would drop the focus.
    button.setAttribute('aria-disabled', String(saving));
    button.textContent = saving ? 'Saving…' : button.dataset.label;
    this.el.setAttribute('aria-busy', String(saving));
  },
});
