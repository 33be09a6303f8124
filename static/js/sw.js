// qualitrack's service worker. It keeps nothing until an auditor prepares an audit for offline
// work ("Préparer hors connexion"): then that audit's workspace (its page, each requirement,
// the comparison with the previous audit) and the assets the page needs are kept on this
// device, served when the network is gone, and refreshed each time the network answers.
// "forget" removes one audit's copy (its report submitted), "forget-all" every copy (sign-out).
"use strict";

var PREFIX = "qualitrack-audit-";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// The audit a workspace address belongs to, and the key its copy is kept under: the page
// without its query (the requirement asked is opened by the page itself), each requirement's
// part as it is.
function placeOf(url) {
  var match = url.pathname.match(/^\/audits\/([^/]+)\/(constats|comparaison)(\/[^/]+)?$/);
  if (!match) return null;
  return { audit: match[1], key: url.origin + url.pathname };
}

function answer(event, message) {
  if (event.source && event.source.postMessage) event.source.postMessage(message);
}

function prepare(audit, urls) {
  return caches.open(PREFIX + audit).then(function (cache) {
    return urls.reduce(function (done, url) {
      return done.then(function (count) {
        var fragment = /\/constats\/[^/]+$/.test(new URL(url, self.location.origin).pathname);
        return fetch(url, { credentials: "same-origin", headers: fragment ? { "HX-Request": "true" } : {} }).then(function (response) {
          if (!response.ok || response.redirected) throw new Error(url + ": " + response.status);
          return cache.put(new URL(url, self.location.origin).origin + new URL(url, self.location.origin).pathname, response).then(function () {
            return count + 1;
          });
        });
      });
    }, Promise.resolve(0));
  });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "prepare") {
    event.waitUntil(
      prepare(message.audit, message.urls).then(
        function (count) {
          answer(event, { type: "prepared", audit: message.audit, count: count });
        },
        function (error) {
          caches.delete(PREFIX + message.audit);
          answer(event, { type: "prepare-failed", audit: message.audit, error: String(error) });
        }
      )
    );
  } else if (message.type === "forget") {
    event.waitUntil(caches.delete(PREFIX + message.audit));
  } else if (message.type === "forget-all") {
    event.waitUntil(
      caches.keys().then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf(PREFIX) === 0;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
    );
  }
});

// Network first: what the server answers is shown (and kept, for a prepared audit); without
// a network, the copy kept on this device.
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var place = placeOf(url);
  var asset = url.pathname.indexOf("/static/") === 0;
  if (!place && !asset) return;
  event.respondWith(
    caches.keys().then(function (names) {
      var mine = place && names.indexOf(PREFIX + place.audit) >= 0 ? PREFIX + place.audit : null;
      if (place && !mine) return fetch(request);
      return fetch(request).then(
        function (response) {
          if (mine && response.ok && !response.redirected && response.type === "basic") {
            var copy = response.clone();
            caches.open(mine).then(function (cache) {
              cache.put(place.key, copy);
            });
          }
          return response;
        },
        function (offline) {
          return caches.match(place ? place.key : url.origin + url.pathname).then(function (kept) {
            if (kept) return kept;
            throw offline;
          });
        }
      );
    })
  );
});
