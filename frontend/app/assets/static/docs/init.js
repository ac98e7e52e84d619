// /api/docs: Swagger UI over the API's own OpenAPI document. A file of its
// own, not an inline script, so that the page's CSP needs no 'unsafe-inline'.
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: document.getElementById('api-docs').dataset.openapi,
    dom_id: '#api-docs',
    deepLinking: true,
    // Requests made from the page carry the session cookie and, for unsafe
    // methods, the CSRF token of this page, as the app's own requests do.
    requestInterceptor: request => {
      request.headers['X-CSRFToken'] = document.querySelector('meta[name="csrf-token"]').content;
      return request;
    },
  });
});
