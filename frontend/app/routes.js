const session = require('./lib/session');

// Four pages for each resource the server describes, all shown by
// controllers/resources-controller.js; '' is the first resource's list.
// The server renders the index at the same URLs, so reloading any works.
module.exports = match => {
  session.resources().forEach(({name}, index) => {
    const options = {params: {resource: name}};
    if (index === 0) match('', 'resources#index', options);
    match(name, 'resources#index', options);
    match(`${name}/new`, 'resources#new', options);
    match(`${name}/:id/edit`, 'resources#edit', options);
    match(`${name}/:id`, 'resources#show', options);
  });
};
