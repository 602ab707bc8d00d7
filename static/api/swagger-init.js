// Starts Swagger UI for /api/v1/docs from the settings django-ninja writes into the page (no inline script,
// so the Content-Security-Policy needs no exception). Session calls carry the CSRF token like htmx does.
(function () {
  "use strict";
  var body = document.body.dataset;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (body.apiCsrf && body.csrfToken) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = body.csrfToken;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
