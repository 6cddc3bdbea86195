// Sibimtek's offline roster (service worker, scope /presensi/). Venues have bad Wi-Fi, so:
// - the roster's CSS/JS are kept per version and served from here (cache first);
// - roster pages and the "today" page come from the network when there is one, and a copy is
//   kept; without a connection the copy is shown (marks then wait in the page's queue);
// - everything else (QR, reports, check-in, the marking API) is left to the network.
// Kept pages hold personal data: they are dropped as soon as any answer shows that the session has
// ended (a redirect to the login page, 401, 403), when the login page is shown, and a copy is never
// shown more than KEEP_HOURS after it was made.
"use strict";
var VERSION = {{ version | tojson }};
var ASSETS = "sibimtek-assets-" + VERSION;
var PAGES = {{ pages_cache | tojson }};
var PRECACHE = {{ (assets + [offline_url]) | tojson }};
var OFFLINE = {{ offline_url | tojson }};
var TODAY = {{ today_url | tojson }};
var CLASS_PREFIX = {{ class_prefix | tojson }};
var ROSTER = /^(\d+)\/(\d{4}-\d{2}-\d{2})$/;  // after CLASS_PREFIX: <class id>/<day>
var CLASS = /^(\d+)$/;
var KEEP_HOURS = {{ keep_hours | tojson }};
var KEPT_AT = "X-Sibimtek-Kept-At";

// A copy of a page that says when it was made.
function stamped(response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    return new Response(body, {status: response.status, statusText: response.statusText, headers: headers});
  });
}

function fresh(copy) {
  var at = copy && Number(copy.headers.get(KEPT_AT));
  return !!at && Date.now() - at < KEEP_HOURS * 3600 * 1000;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(ASSETS).then(function (cache) {
    return cache.addAll(PRECACHE.map(function (url) { return new Request(url, {cache: "reload"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("sibimtek-assets-") === 0 && key !== ASSETS;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function rest(url) {
  return url.pathname.indexOf(CLASS_PREFIX) === 0 ? url.pathname.slice(CLASS_PREFIX.length) : null;
}

function isPage(url) {
  var tail = rest(url);
  return url.pathname === TODAY || (tail !== null && ROSTER.test(tail));
}

// The network's answer, and a copy of it when it is the page itself; without a network, the copy.
function networkFirst(event) {
  var request = event.request;
  var key = new URL(request.url);
  key.search = "";
  return caches.open(PAGES).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected && response.type === "basic") {
        event.waitUntil(stamped(response.clone()).then(function (copy) { return cache.put(key.href, copy); }));
      } else if (response.type === "opaqueredirect" || response.redirected || response.status === 401
                 || response.status === 403) {
        event.waitUntil(caches.delete(PAGES));  // the session has ended: forget every kept page
      } else if (response.status === 404) {
        event.waitUntil(cache.delete(key.href));
      }
      return response;
    }, function (error) {
      return cache.match(key.href, {ignoreVary: true}).then(function (copy) {
        if (fresh(copy)) return copy;
        if (copy) cache.delete(key.href);
        if (request.mode === "navigate") return caches.match(OFFLINE, {cacheName: ASSETS});
        throw error;
      });
    });
  });
}

// /presensi/kelas/<id> picks the day on the server; offline, today's copy (phone's date), or the latest.
function classOffline(classId) {
  var now = new Date();
  var today = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" + ("0" + now.getDate()).slice(-2);
  return caches.open(PAGES).then(function (cache) { return cache.keys(); }).then(function (requests) {
    var days = requests.map(function (r) { return rest(new URL(r.url)); })
      .map(function (tail) { return tail && ROSTER.exec(tail); })
      .filter(function (m) { return m && m[1] === classId; })
      .map(function (m) { return m[2]; }).sort();
    if (!days.length) return caches.match(OFFLINE, {cacheName: ASSETS});
    var day = days.indexOf(today) >= 0 ? today : days[days.length - 1];
    return Response.redirect(CLASS_PREFIX + classId + "/" + day, 302);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PRECACHE.indexOf(url.pathname) >= 0 && url.pathname !== OFFLINE) {
    event.respondWith(caches.match(url.pathname, {cacheName: ASSETS}).then(function (hit) {
      return hit || fetch(request);
    }));
  } else if (isPage(url)) {
    event.respondWith(networkFirst(event));
  } else if (request.mode === "navigate" && rest(url) !== null && CLASS.test(rest(url))) {
    event.respondWith(fetch(request).catch(function () { return classOffline(CLASS.exec(rest(url))[1]); }));
  }
});
