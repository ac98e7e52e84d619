// ESLint for the front end (`make lint`): the recommended rules, with the
// globals each kind of file has.
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  js.configs.recommended,
  {
    // The app: CommonJS modules that Brunch wraps for the browser.
    files: ['frontend/app/**/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {...globals.browser, ...globals.commonjs}},
  },
  {
    // Node: the unit tests (jsdom gives them a window), Brunch's and this config.
    files: ['frontend/test/**/*.js', '*.js'],
    languageOptions: {sourceType: 'commonjs', globals: globals.node},
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: {sourceType: 'module', globals: globals.node},
  },
];
