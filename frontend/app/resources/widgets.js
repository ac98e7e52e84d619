// Widgets: the worked example of overriding parts of the generic resource
// pages (lib/resources.js lists what may be overridden). A resource without
// a module here gets the generic pages whole.
module.exports = {
  // A template of one part of the pages: the list shows the description too.
  templates: {
    item: require('../templates/widgets/item'),
  },
  // One field's control: the description is a short note, so a smaller box.
  fields: {
    description: require('../templates/widgets/description'),
  },
  // And a view class, best a subclass of the generic one, e.g.
  //   views: {detail: require('../views/resource/detail-view').extend({...})},
};
