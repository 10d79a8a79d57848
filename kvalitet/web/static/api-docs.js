/* Starts Swagger UI on /docs (kvalitet/api/docs.py); a file, not an inline script, so the
 * Content-Security-Policy can stay 'self'. */
(function () {
  "use strict";
  function start() {
    var node = document.getElementById("swagger-ui");
    if (!node || typeof window.SwaggerUIBundle !== "function") return;
    window.ui = window.SwaggerUIBundle({
      url: node.getAttribute("data-openapi-url") || "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      validatorUrl: null
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
