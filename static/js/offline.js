// The offline roster's page side. On pages of markers: register the service worker (scope
// /presensi/) and keep copies of today's rosters, so that they open later without a connection.
// On the login page (data-forget): drop every kept page, so the next account never sees them.
(function () {
  "use strict";
  var script = document.currentScript;
  var data = script.dataset;
  if (!("caches" in window)) return;

  if (data.forget !== undefined) {
    caches.delete(data.cache);
    return;
  }
  if (!("serviceWorker" in navigator) || !data.sw) return;
  navigator.serviceWorker.register(data.sw, {scope: data.scope}).catch(function () {});

  // The copies are made here (not only by the worker) so they exist even before it is active. A
  // page the worker served already has its copy; it is fetched again only if that copy is missing.
  var controlled = !!navigator.serviceWorker.controller;
  var warm = JSON.parse(data.warm || "[]");
  if (!warm.length || !navigator.onLine) return;
  caches.open(data.cache).then(function (cache) {
    warm.forEach(function (url) {
      var key = new URL(url, location.href).href;
      var served = controlled && key === new URL(location.pathname, location.href).href;
      (served ? cache.match(key) : Promise.resolve(null)).then(function (copy) {
        if (copy) return;
        return fetch(url, {credentials: "same-origin", redirect: "manual", headers: {Accept: "text/html"}})
          .then(function (response) {
            if (response.type === "opaqueredirect") return caches.delete(data.cache);  // session ended
            if (!response.ok || response.type !== "basic") return;
            return response.blob().then(function (body) {  // stamped as the worker does: kept at most 48 h
              var headers = new Headers(response.headers);
              headers.set("X-Sibimtek-Kept-At", String(Date.now()));
              return cache.put(key, new Response(body, {status: response.status, headers: headers}));
            });
          });
      }).catch(function () {});
    });
  });
})();
