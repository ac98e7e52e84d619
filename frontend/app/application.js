const Chaplin = require('chaplin');

// Chaplin's stock application (router, dispatcher, layout, composer);
// initialize.js starts it with the routes. App-wide setup belongs here.
module.exports = Chaplin.Application.extend({});
