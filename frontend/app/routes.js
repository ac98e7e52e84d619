// Each URL here must also render the index on the server
// (CLIENT_ROUTES in backend/pages/views.py), so that reloading it works.
module.exports = match => {
  match('', 'widgets#index');
  match('widgets', 'widgets#index');
  match('widgets/new', 'widgets#new');
  match('widgets/:id', 'widgets#show');
};
