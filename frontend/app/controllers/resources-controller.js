const Controller = require('./base/controller');
const resources = require('../lib/resources');
const live = require('../lib/live/follow');

// Every resource's pages (routes.js): `params.resource` names the resource,
// whose classes (lib/resources.js) make the models and views.
module.exports = Controller.extend({
  beforeAction(params) {
    Controller.prototype.beforeAction.call(this, params);
    this.resource = resources.get(params.resource);
  },

  index(params, route, options) {
    const {Collection, views, description} = this.resource;
    this.adjustTitle(description.label);
    this.collection = new Collection(null, {query: options.query});
    live.followPage(this.collection); // changes made elsewhere (/api/events)
    this.view = new views.page({
      collection: this.collection,
      region: 'main',
      focusTarget: this.focusTarget(route, options),
    });
    this.collection.fetch();
  },

  new() {
    const {Model, labels} = this.resource;
    this.adjustTitle(`New ${labels.itemNoun}`);
    this.model = new Model();
    this.showForm(labels.path);
  },

  show(params, route, options) {
    const {Model, views, description} = this.resource;
    this.adjustTitle(description.item_label);
    this.model = new Model({_id: params.id});
    this.view = new views.detail({
      model: this.model,
      region: 'main',
      focusTarget: this.focusTarget(route, options),
    });
    live.followItem(this.model); // changes made elsewhere (/api/events)
    this.titleFromItem(title => title);
    this.model.fetch();
  },

  edit(params) {
    const {Model, labels} = this.resource;
    this.adjustTitle(`Edit ${labels.itemNoun}`);
    this.model = new Model({_id: params.id});
    this.showForm(this.model.path(), {focus: 'edit'});
    // Changes made elsewhere: the form is told ("live:stale"), never overwritten.
    live.followItem(this.model);
    live.editing(this.model);
    this.titleFromItem(title => `Edit “${title}”`);
    this.model.fetch();
  },

  // The tab's title names the item, once it is loaded (and as it changes).
  titleFromItem(format) {
    const {title_field} = this.resource.description;
    const adjust = () => this.adjustTitle(format(this.model.title()));
    this.listenToOnce(this.model, 'synced', adjust);
    this.listenTo(this.model, `change:${title_field}`, () => this.model.isSynced() && adjust());
  },

  // The form, focused on its first field; saving goes to the saved item,
  // cancelling back to `cancelUrl` (with the focus on `cancelFocus`).
  showForm(cancelUrl, cancelFocus = {}) {
    const [first] = this.resource.description.fields;
    this.view = new this.resource.views.form({
      model: this.model,
      region: 'main',
      focusTarget: first ? first.name : 'heading',
    });
    this.listenTo(this.view, 'saved', model => this.redirectTo({url: model.path()}));
    this.listenTo(this.view, 'cancel', () => this.redirectTo({url: cancelUrl}, cancelFocus));
  },
});
