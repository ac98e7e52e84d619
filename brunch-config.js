// Brunch builds frontend/ into public/, which Flask serves: public/index.html
// is rendered by Jinja, public/static/ is served at /static/.
const SWAGGER_UI = /^node_modules\/swagger-ui-dist\//;

module.exports = {
  paths: {
    watched: ['frontend/app'],
    public: 'public',
  },
  files: {
    javascripts: {
      joinTo: {
        // Names fixed by backend/assets.py (BUNDLES).
        'static/vendor.js': path => /^node_modules\//.test(path) && !SWAGGER_UI.test(path),
        'static/app.js': /^frontend\/app\//,
        // /api/docs only: Swagger UI, from npm, never in the app's bundle.
        'static/docs/swagger-ui.js': SWAGGER_UI,
      },
    },
    stylesheets: {
      joinTo: {
        'static/app.css': /^frontend\/app\/styles\//,
        'static/docs/swagger-ui.css': SWAGGER_UI,
      },
    },
    templates: {joinTo: {'static/app.js': /^frontend\/app\/templates\//}},
  },
  modules: {
    // frontend/app/models/widget.js is the module "models/widget".
    nameCleaner: path => path.replace(/^frontend\/app\//, ''),
    autoRequire: {'static/app.js': ['initialize']},
  },
  npm: {
    // Swagger UI ships built: taken as it is, not wrapped as a module.
    static: ['node_modules/swagger-ui-dist/swagger-ui-bundle.js'],
    styles: {'swagger-ui-dist': ['swagger-ui.css']},
    // Brunch cannot scan chaplin.js for its requires; the minified build it
    // ships with can be (see DEVELOPERS.md).
    // jQuery's slim build (no $.ajax, no effects): Backbone.ajax is
    // frontend/app/lib/request.js, made with fetch().
    aliases: {chaplin: 'chaplin/chaplin.min.js', jquery: 'jquery/dist/jquery.slim.js'},
  },
  plugins: {
    handlebars: {
      // Runtime only: the templates are precompiled, the compiler stays out.
      include: {runtime: true},
      // The templates use Handlebars' own helpers only (each, if, ...):
      // compiled knowing that, they are about a quarter smaller.
      // frontend/test/helpers.js compiles them the same way.
      overrides: handlebars => {
        const {precompile} = handlebars;
        handlebars.precompile = (input, options) =>
          precompile.call(handlebars, input, Object.assign({knownHelpersOnly: true}, options));
      },
    },
    // Swagger UI comes minified already.
    terser: {ignored: SWAGGER_UI},
    cleancss: {ignored: SWAGGER_UI},
  },
  overrides: {
    production: {
      optimize: true,
      sourceMaps: false,
      plugins: {autoReload: {enabled: false}},
    },
  },
};
