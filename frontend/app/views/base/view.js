const Chaplin = require('chaplin');

// The data every template gets: Chaplin's (the model's attributes, or the
// collection's length, and `synced`), and `resource`, the labels of the
// resource the view shows (lib/resources.js), when it shows one.
function templateData(view, Base) {
  const data = Base.prototype.getTemplateData.call(view);
  if (view.resource) data.resource = view.resource.labels;
  return data;
}

// Chaplin attaches a view to the page after each render: move focus then,
// to the heading or to the control named by `focusTarget` (a form field's
// name, or an element's data-focus). Once only: a view that renders again
// because its model changed must not take the focus from where the user is.
function moveFocus(view) {
  if (!view.focusTarget) return;
  const name = view.focusTarget;
  const selector = name === 'heading' ? 'h1' : `[name="${name}"], [data-focus="${name}"]`;
  const target = view.el.querySelector(selector);
  if (!target) return;
  target.focus();
  view.focusTarget = null;
}

// Each view names its precompiled Handlebars template: `template: require(...)`.
module.exports = Chaplin.View.extend({
  autoRender: true,
  optionNames: Chaplin.View.prototype.optionNames.concat(['focusTarget']),

  getTemplateFunction() {
    return this.template;
  },

  getTemplateData() {
    return templateData(this, Chaplin.View);
  },

  attach(...args) {
    Chaplin.View.prototype.attach.apply(this, args);
    moveFocus(this);
  },
});

module.exports.templateData = templateData;
