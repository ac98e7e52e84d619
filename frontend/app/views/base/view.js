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

// What the focused control inside the view is, to find the same one in the
// view rendered again: a view that renders because its model changed
// elsewhere (lib/live/follow.js) must not drop the user's focus.
function focusedControl(view) {
  const active = document.activeElement;
  if (!active || active === view.el || !view.el.contains(active)) return null;
  const same = element =>
    element.getAttribute('name') === active.getAttribute('name') &&
    element.dataset.focus === active.dataset.focus &&
    element.className === active.className;
  return {tag: active.localName, same};
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

  // A view whose element holds only what its template draws (nothing shown or
  // hidden after the render) sets `drawsOnlyItsData`: a render that would draw
  // the same HTML again, as after a fetch that brought the same data (the
  // page's, once its live stream opens), then leaves the element as it is, so
  // a link or button under the pointer is not replaced and its click not lost.
  // (Chaplin's render runs the template once more: a page's views are small.)
  render() {
    if (this.drawsOnlyItsData) {
      const html = this.getTemplateFunction()(this.getTemplateData());
      if (html === this.drawnHtml) return this;
      this.drawnHtml = html;
    }
    const focused = focusedControl(this);
    Chaplin.View.prototype.render.call(this);
    // Unless the render moved the focus on purpose (focusTarget), it is lost: put it back.
    if (focused && !this.el.contains(document.activeElement)) {
      const target = [...this.el.querySelectorAll(focused.tag)].find(focused.same);
      if (target) target.focus();
    }
    return this;
  },

  attach(...args) {
    Chaplin.View.prototype.attach.apply(this, args);
    moveFocus(this);
  },
});

module.exports.templateData = templateData;
