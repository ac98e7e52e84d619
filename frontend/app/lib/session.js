// What the server wrote into the index page for this session.

function bootstrap() {
  return JSON.parse(document.getElementById('bootstrap').textContent);
}

exports.user = () => {
  const {_id, email} = bootstrap();
  return {_id, email};
};

// The descriptions of the registered resources, in registry order: what the
// routes, the header's navigation and every resource page are made from.
exports.resources = () => bootstrap().resources || [];

exports.csrfToken = () => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
};

exports.appName = () => document.querySelector('meta[name="application-name"]').content;

// The messages the server flashed for this page (frontend/app/assets/index.html).
exports.flashes = () => {
  const element = document.getElementById('flashes');
  return element ? JSON.parse(element.textContent) : [];
};
