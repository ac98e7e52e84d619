const Controller = require('./base/controller');
const Widget = require('../models/widget');
const Widgets = require('../models/widgets');
const WidgetsPageView = require('../views/widgets-page-view');
const WidgetFormView = require('../views/widget-form-view');
const WidgetDetailView = require('../views/widget-detail-view');

module.exports = Controller.extend({
  index(params, route, options) {
    this.adjustTitle('Widgets');
    this.widgets = new Widgets(null, {query: options.query});
    this.view = new WidgetsPageView({
      collection: this.widgets,
      region: 'main',
      focusTarget: this.focusTarget(route, options),
    });
    this.widgets.fetch();
  },

  new() {
    this.adjustTitle('New widget');
    this.widget = new Widget();
    this.view = new WidgetFormView({model: this.widget, region: 'main', focusTarget: 'name'});
    this.listenTo(this.view, 'saved', widget => this.redirectTo({url: `/widgets/${widget.id}`}));
    this.listenTo(this.view, 'cancel', () => this.redirectTo({url: '/widgets'}));
  },

  show(params, route, options) {
    this.adjustTitle('Widget');
    this.widget = new Widget({_id: params.id});
    this.view = new WidgetDetailView({
      model: this.widget,
      region: 'main',
      focusTarget: this.focusTarget(route, options),
    });
    this.widget.fetch();
  },
});
