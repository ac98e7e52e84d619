const {mediator, utils} = require('chaplin');
const View = require('./base/view');
const WidgetFormView = require('./widget-form-view');

// One widget: loading, then its fields with Edit and Delete; Edit swaps in
// the form, and each sync (load or save) shows the widget again.
module.exports = View.extend({
  template: require('../templates/widget-detail'),

  events: {
    'click .widget-edit': 'edit',
    'click .widget-delete': 'delete',
  },

  listen: {
    'sync model': 'render',
    'error model': 'failed',
  },

  getTemplateData() {
    return Object.assign(View.prototype.getTemplateData.call(this), {missing: this.missing});
  },

  render() {
    this.removeSubview('form');
    return View.prototype.render.call(this);
  },

  edit() {
    // Once saved, the widget is shown again with the focus on its heading.
    this.focusTarget = 'heading';
    const form = new WidgetFormView({
      model: this.model,
      container: this.el.querySelector('.widget-body'),
      containerMethod: 'html',
      focusTarget: 'name',
    });
    this.subview('form', form);
    this.listenTo(form, 'cancel', () => {
      this.render();
      this.el.querySelector('.widget-edit').focus();
    });
  },

  delete() {
    const {name} = this.model.attributes;
    if (!window.confirm(`Delete the widget “${name}”? This cannot be undone.`)) return;
    this.model.destroy({wait: true}).done(() => {
      mediator.publish('app:status', `Deleted “${name}”.`);
      utils.redirectTo({url: '/widgets'});
    });
  },

  failed(model, xhr) {
    if (xhr.status === 404) {
      this.missing = true;
      this.render();
    }
  },
});
