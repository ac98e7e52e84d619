// The app's resources: for each description the server sends (see
// lib/session.js), the classes that show it, made from the generic ones in
// models/ and views/resource/, with whatever the resource overrides.
//
// Overrides are the optional module `resources/<name>.js` (see
// resources/widgets.js and DEVELOPERS.md), which may export any of:
//   templates: {page, list, item, pager, detail, form}  template functions
//   views:     {page, list, item, pager, detail, form}  view classes, best
//              subclasses of the generic ones (views/resource/)
//   fields:    {<field name>: template}                 one field's control
//   model, collection: prototype properties added to the resource's classes
const session = require('./session');
const ResourceModel = require('../models/resource-model');
const ResourceCollection = require('../models/resource-collection');

const VIEWS = {
  page: require('../views/resource/page-view'),
  list: require('../views/resource/list-view'),
  item: require('../views/resource/item-view'),
  pager: require('../views/pager-view'),
  detail: require('../views/resource/detail-view'),
  form: require('../views/resource/form-view'),
};

const FIELD_TEMPLATES = {
  line: require('../templates/fields/line'),
  textarea: require('../templates/fields/textarea'),
  number: require('../templates/fields/number'),
  checkbox: require('../templates/fields/checkbox'),
};

// Brunch registers every module of frontend/app in the global require by
// its file name, which require.list() gives: an optional module is simply
// there or not, and nothing has to list it.
function overridesOf(name) {
  const brunch = window.require;
  const found = brunch && brunch.list && brunch.list().includes(`resources/${name}.js`);
  return found ? brunch(`resources/${name}`) : {};
}

// "Widget" -> "widget" for the middle of a sentence; "API key" stays.
function noun(label) {
  return /^.[A-Z]/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

// The resource a description and its overrides make: what the controller
// and the views use.
function build(description, overrides = overridesOf(description.name)) {
  const templates = overrides.templates || {};
  const fields = overrides.fields || {};
  const Model = ResourceModel.describe(description).extend(overrides.model || {});
  const resource = {
    name: description.name,
    description,
    Model,
    Collection: ResourceCollection.describe(description, Model).extend(overrides.collection || {}),
    // What every template of the resource may show: {{resource.label}}...
    labels: {
      name: description.name,
      path: `/${description.name}`,
      label: description.label,
      itemLabel: description.item_label,
      noun: noun(description.label),
      itemNoun: noun(description.item_label),
    },
    views: {},
    fieldTemplate(field) {
      return fields[field.name] || FIELD_TEMPLATES[field.widget] || FIELD_TEMPLATES.line;
    },
  };
  for (const [key, View] of Object.entries(VIEWS)) {
    const Base = (overrides.views && overrides.views[key]) || View;
    const own = {resource};
    if (templates[key]) own.template = templates[key];
    resource.views[key] = Base.extend(own);
  }
  return resource;
}

let all = null;

// Every registered resource, in the server's order (built once: the
// descriptions do not change while the page is open).
exports.all = () => {
  if (!all) all = session.resources().map(description => build(description));
  return all;
};

exports.get = name => exports.all().find(resource => resource.name === name);

exports.build = build;
