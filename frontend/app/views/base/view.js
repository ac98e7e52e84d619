const Chaplin = require('chaplin');

// Each view names its precompiled Handlebars template: `template: require(...)`.
module.exports = Chaplin.View.extend({
  autoRender: true,
  optionNames: Chaplin.View.prototype.optionNames.concat(['focusTarget']),

  getTemplateFunction() {
    return this.template;
  },

  // Chaplin attaches a view to the page after each render: move focus then,
  // to the heading or to the form control named by `focusTarget`.
  attach(...args) {
    Chaplin.View.prototype.attach.apply(this, args);
    if (!this.focusTarget) return;
    const selector = this.focusTarget === 'heading' ? 'h1' : `[name="${this.focusTarget}"]`;
    const target = this.el.querySelector(selector);
    if (target) target.focus();
  },
});
