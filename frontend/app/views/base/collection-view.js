const Chaplin = require('chaplin');
const View = require('./view');

module.exports = Chaplin.CollectionView.extend({
  // Items appear at once: no fade-in for a page of results.
  animationDuration: 0,
  getTemplateFunction: View.prototype.getTemplateFunction,

  getTemplateData() {
    return View.templateData(this, Chaplin.CollectionView);
  },
});
