const {mediator} = require('chaplin');
const View = require('./base/view');

const FIELDS = ['name', 'description'];

// Creates or edits a widget. The server validates: a 400 puts its messages
// beside their fields, a 409/412 (someone else saved first) offers the
// current version. Triggers "saved" and "cancel" for its owner.
module.exports = View.extend({
  tagName: 'form',
  className: 'widget-form',
  template: require('../templates/widget-form'),
  attributes: {novalidate: ''},

  events: {
    submit: 'save',
    'click .form-cancel': 'cancel',
    'click .load-current': 'loadCurrent',
  },

  getTemplateData() {
    return Object.assign(View.prototype.getTemplateData.call(this), {isNew: this.model.isNew()});
  },

  save(event) {
    event.preventDefault();
    if (this.saving) return;
    const changes = {};
    for (const name of FIELDS) changes[name] = this.el.elements[name].value;
    this.showErrors({});
    this.setSaving(true);
    this.model
      .save(changes, {wait: true})
      .done(() => {
        mediator.publish('app:status', 'Widget saved.');
        this.trigger('saved', this.model);
      })
      .fail(xhr => this.failed(xhr))
      .always(() => this.setSaving(false));
  },

  cancel() {
    this.trigger('cancel');
  },

  failed(xhr) {
    const body = xhr.responseJSON || {};
    if (xhr.status === 400) {
      this.showErrors(body.fields || {}, body.error);
    } else if (xhr.status === 409 || xhr.status === 412) {
      this.current = body.current;
      this.showAlert('.form-conflict');
      this.el.querySelector('.load-current').focus();
    } else if (xhr.status === 404) {
      this.showAlert('.form-missing');
    }
  },

  loadCurrent() {
    this.model.set(this.current);
    this.render();
    mediator.publish('app:status', 'Loaded the current version.');
  },

  // Each field shows its own messages; errors about anything else (there
  // should be none) go to the form's alert.
  showErrors(fields, message) {
    let firstInvalid = null;
    for (const name of FIELDS) {
      const input = this.el.elements[name];
      const messages = fields[name] || [];
      const field = input.closest('.field');
      field.classList.toggle('field-invalid', messages.length > 0);
      field.querySelector('.field-error').textContent = messages.join(' ');
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
