// Brunch builds frontend/ into public/, which Flask serves: public/index.html
// is rendered by Jinja, public/static/ is served at /static/.
module.exports = {
  paths: {
    watched: ['frontend/app'],
    public: 'public',
  },
  files: {
    javascripts: {
      joinTo: {
        // Names fixed by backend/assets.py (BUNDLES).
        'static/vendor.js': /^node_modules\//,
        'static/app.js': /^frontend\/app\//,
      },
    },
    stylesheets: {joinTo: {'static/app.css': /^frontend\/app\/styles\//}},
    templates: {joinTo: {'static/app.js': /^frontend\/app\/templates\//}},
  },
  modules: {
    // frontend/app/models/widget.js is the module "models/widget".
    nameCleaner: path => path.replace(/^frontend\/app\//, ''),
    autoRequire: {'static/app.js': ['initialize']},
  },
  npm: {
    // Brunch cannot scan chaplin.js for its requires; the minified build it
    // ships with can be (see DEVELOPERS.md).
    aliases: {chaplin: 'chaplin/chaplin.min.js'},
  },
  plugins: {
    // Runtime only: the templates are precompiled, the compiler stays out.
    handlebars: {include: {runtime: true}},
  },
  overrides: {
    production: {
      optimize: true,
      sourceMaps: false,
      plugins: {autoReload: {enabled: false}},
    },
  },
};
