// What the server wrote into the index page for this session.

exports.user = () => JSON.parse(document.getElementById('bootstrap').textContent);

exports.csrfToken = () => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
};

exports.appName = () => document.querySelector('meta[name="application-name"]').content;
