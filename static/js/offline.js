// Field mode for the findings workspace. "Préparer hors connexion" keeps the audit on this
// device (sw.js); every save made without a network goes into a queue kept in IndexedDB,
// shown on screen item by item (en attente, envoyé, en conflit, refusé). When the network
// returns the queue is sent in order, each save with the version it was made from: the
// server recognises a retried save, and a save that meets a newer version comes back as a
// conflict, both versions side by side, for the auditor to settle. A session that expired
// meanwhile asks to sign in again, then the queue goes. Signing out, or the report
// submitted, removes what the device kept.
(function () {
  "use strict";
  var DB = "qualitrack-offline";
  var STORE = "queue";

  var open = function () {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        store.createIndex("audit", "audit");
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  };
  var run = function (mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          resolve(result && "result" in result ? result.result : result);
        };
        tx.onerror = function () {
          reject(tx.error);
        };
      });
    });
  };
  var items = function (audit) {
    return run("readonly", function (store) {
      return store.index("audit").getAll(audit);
    });
  };
  var put = function (item) {
    return run("readwrite", function (store) {
      return store.put(item);
    });
  };
  var remove = function (id) {
    return run("readwrite", function (store) {
      return store.delete(id);
    });
  };
  var clearAudit = function (audit) {
    return items(audit).then(function (all) {
      return Promise.all(
        all.map(function (item) {
          return remove(item.id);
        })
      );
    });
  };

  var workspace = function () {
    return document.querySelector("[data-workspace]");
  };
  var auditId = function () {
    var space = workspace();
    return space ? space.getAttribute("data-audit") : null;
  };
  var token = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };
  var words = function (name) {
    var panel = document.getElementById("offline-panel");
    return panel ? panel.getAttribute("data-text-" + name) || "" : "";
  };
  var say = function (id, text) {
    var place = document.getElementById(id);
    if (place) place.textContent = text;
  };
  var forget = function (audit) {
    localStorage.removeItem("qualitrack-prepared-" + audit);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget", audit: audit });
    }
    return clearAudit(audit);
  };

  // ---- The queue on screen, and the work it holds laid over the requirement shown.
  var stateWords = function (state) {
    return words("state-" + state);
  };
  var draw = function () {
    var audit = auditId();
    var list = document.getElementById("offline-queue");
    if (!audit || !list) return Promise.resolve();
    return items(audit).then(function (all) {
      list.textContent = "";
      all.forEach(function (item) {
        var line = document.createElement("li");
        line.className = "queue-item queue-" + item.state;
        line.setAttribute("data-queue-id", item.id);
        var what = document.createElement("span");
        what.textContent = item.reference + " — " + item.summary + " : ";
        var state = document.createElement("strong");
        state.textContent = stateWords(item.state) + (item.message ? " (" + item.message + ")" : "");
        line.appendChild(what);
        line.appendChild(state);
        // What the auditor may do with the item: see a conflict's two versions, or clear a
        // line that is done with.
        var act = function (attribute, label) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-small btn-secondary";
          button.setAttribute(attribute, item.id);
          button.textContent = words(label);
          line.appendChild(document.createTextNode(" "));
          line.appendChild(button);
        };
        if (item.state === "conflict") act("data-settle", "settle");
        if (item.state === "refused" || item.state === "sent") act("data-drop", "drop");
        list.appendChild(line);
      });
      var waiting = all.filter(function (item) {
        return item.state === "pending";
      }).length;
      say("offline-count", waiting ? words("waiting").replace("{n}", waiting) : "");
      document.querySelectorAll("#tree a[data-ref]").forEach(function (link) {
        var queued = all.some(function (item) {
          return item.reference === link.getAttribute("data-ref") && item.state !== "sent";
        });
        link.classList.toggle("queued", queued);
      });
      overlay(all);
      // Others on the page (photos.js) lay out what the queue holds for them.
      document.dispatchEvent(new CustomEvent("qualitrack:queue", { detail: all }));
    });
  };
  // A requirement shown from the device's copy is older than what was typed since: the
  // latest save waiting for it is laid over its form.
  var overlay = function (all) {
    var form = document.querySelector("#pane form.finding-form");
    if (!form) return;
    var reference = form.closest("article").id.replace(/^req-/, "");
    var waiting = all.filter(function (item) {
      return item.reference === reference && item.state === "pending" && item.url === form.getAttribute("action");
    });
    if (!waiting.length) return;
    var fields = new URLSearchParams(waiting[waiting.length - 1].body);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrf_token" || field.name === "version") return;
      var values = fields.getAll(field.name);
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = values.indexOf(field.value) >= 0;
      } else if (field.tagName === "TEXTAREA" || field.tagName === "INPUT") {
        field.value = values.length ? values[0] : "";
      }
    });
    form.setAttribute("data-initial", new URLSearchParams(new FormData(form)).toString());
    var saved = form.querySelector(".saved");
    if (saved) saved.textContent = stateWords("pending");
  };

  // ---- Saves made without a network go into the queue instead of being lost.
  var summary = function (form) {
    var grade = form.querySelector("input[name=grade_code]:checked");
    var label = grade && grade.labels && grade.labels[0] ? grade.labels[0].textContent : "";
    var text = (form.querySelector("textarea[name=finding]") || { value: "" }).value.trim();
    return (label + (text ? " — " + text.slice(0, 60) : "")).trim();
  };
  var enqueue = function (form) {
    var article = form.closest("article");
    var item = {
      audit: auditId(),
      reference: article ? article.id.replace(/^req-/, "") : "",
      url: form.getAttribute("action"),
      body: new URLSearchParams(new FormData(form)).toString(),
      summary: summary(form),
      state: "pending",
      message: "",
      at: new Date().toISOString(),
    };
    form.setAttribute("data-initial", item.body);
    var saved = form.querySelector(".saved");
    if (saved) saved.textContent = stateWords("pending");
    // As a save does, the keyboard goes back to the requirement.
    if (article && article.contains(document.activeElement)) article.focus();
    return put(item).then(draw);
  };
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!workspace() || !form || !form.matches || !form.matches("#pane form")) return;
    if (navigator.onLine) return;
    event.preventDefault();
    enqueue(form);
  });
  // The network gone during the request: the same.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!workspace() || !form || !form.matches || !form.matches("#pane form")) return;
    enqueue(form);
  });

  // ---- Sending, in order, when the network is back.
  // One item as the server takes it, with the session's token of now (the auditor may have
  // signed in again since): a save as its form, a photograph as a file upload whose token
  // comes first.
  var request = function (item) {
    var headers = { "HX-Request": "true", "X-CSRF-Token": token() };
    var body;
    if (item.kind === "photo") {
      body = new FormData();
      body.append("csrf_token", token());
      body.append("key", item.key);
      body.append("caption", item.caption || "");
      body.append("photo", item.blob, item.name);
    } else {
      var fields = new URLSearchParams(item.body);
      fields.set("csrf_token", token());
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = fields.toString();
    }
    return fetch(item.url, { method: "POST", credentials: "same-origin", redirect: "manual", headers: headers, body: body });
  };
  // A part of the page laid out again from the server's answer, if it is shown.
  var replace = function (id, html) {
    var place = document.getElementById(id);
    if (!place) return;
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
    if (!fresh) return;
    place.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  };
  var sending = false;
  var again = false;
  var send = function () {
    var audit = auditId();
    if (sending) again = true; // Queued during a send: the next round takes it.
    if (!audit || sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    again = false;
    var sentNow = 0;
    var next = function (queue) {
      var item = queue.shift();
      if (!item) return Promise.resolve();
      if (item.state !== "pending") return next(queue);
      return request(item).then(
        function (response) {
          if (response.type === "opaqueredirect" || response.status === 401) {
            // Signed out meanwhile: nothing is sent until the auditor signs in again.
            document.getElementById("offline-signin").hidden = false;
            return null;
          }
          return response.text().then(function (html) {
            if (response.status === 200 && item.kind === "photo") {
              // A photograph changes neither the tree nor the progress: its requirement's
              // photographs are laid out again in place, and the picture leaves the device.
              item.state = "sent";
              delete item.blob;
              replace("photos-" + item.reference, html);
            } else if (response.status === 200) {
              item.state = "sent";
              sentNow += 1;
            } else if (response.status === 409) {
              item.state = "conflict";
              item.answer = html;
            } else if (response.status === 422 || response.status === 403 || response.status === 404) {
              item.state = "refused";
              var page = new DOMParser().parseFromString(html, "text/html");
              var why = page.querySelector(".field-error, .flash-error, main p");
              item.message = why ? why.textContent.trim() : String(response.status);
            } else {
              return null; // The server is not answering well: try again later.
            }
            return put(item).then(function () {
              return next(queue);
            });
          });
        },
        function () {
          return null; // Still no network.
        }
      );
    };
    // Still signed in? A session that expired meanwhile asks to sign in again first (its
    // token would be refused): nothing is sent until then.
    var probe = document.querySelector("#tree a[data-ref]");
    var signedIn = probe
      ? fetch(probe.getAttribute("data-hx-get"), { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { "HX-Request": "true" } }).then(
          function (response) {
            return !(response.type === "opaqueredirect" || response.status === 401);
          },
          function () {
            return false;
          }
        )
      : Promise.resolve(true);
    return signedIn
      .then(function (yes) {
        var ask = document.getElementById("offline-signin");
        if (ask) ask.hidden = yes;
        return yes ? items(audit).then(next) : null;
      })
      .then(
        function () {
          sending = false;
          // The tree and the progress were laid out before these saves: the page is read
          // again (the queue is on the device, nothing is lost by it).
          if (sentNow) {
            location.reload();
            return null;
          }
          return draw().then(function () {
            return again ? send() : null;
          });
        },
        function () {
          sending = false;
        }
      );
  };
  // ---- A conflict settled by the auditor: both versions shown in the requirement's place.
  document.addEventListener("click", function (event) {
    var settle = event.target.closest && event.target.closest("[data-settle]");
    var drop = event.target.closest && event.target.closest("[data-drop]");
    if (!settle && !drop) return;
    var id = Number((settle || drop).getAttribute(settle ? "data-settle" : "data-drop"));
    items(auditId()).then(function (all) {
      var item = all.filter(function (i) {
        return i.id === id;
      })[0];
      if (!item) return;
      if (drop) return remove(id).then(draw);
      // Both versions in the requirement's place (on a phone, in view instead of the list);
      // the item stays until the auditor chooses.
      workspace().classList.add("chosen");
      var pane = document.getElementById("pane");
      pane.innerHTML = item.answer;
      if (window.htmx) window.htmx.process(pane);
      var focus = pane.querySelector("article");
      if (focus) focus.focus();
    });
  });
  // The choice made: the stored version kept, or the auditor's saved over it.
  var settled = function (reference) {
    return items(auditId()).then(function (all) {
      return Promise.all(
        all
          .filter(function (item) {
            return item.reference === reference && item.state === "conflict";
          })
          .map(function (item) {
            return remove(item.id);
          })
      ).then(draw);
    });
  };
  document.addEventListener("click", function (event) {
    var keep = event.target.closest && event.target.closest("[data-keep-stored]");
    if (keep) settled(keep.getAttribute("data-keep-stored"));
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!workspace() || !from || !from.matches || !from.matches("#pane form.finding-form")) return;
    if (event.detail.xhr && event.detail.xhr.status === 200) {
      settled(from.closest("article").id.replace(/^req-/, ""));
    }
  });

  // Others on the page queue their own items (photos.js): kept first, then sent when the
  // network allows, in order with the saves.
  window.qualitrackOffline = {
    add: function (item) {
      item.audit = auditId();
      item.state = "pending";
      item.message = "";
      item.at = new Date().toISOString();
      return put(item).then(draw).then(send);
    },
    words: words,
  };

  // ---- Preparing, the network's state, and forgetting.
  var prepared = function (audit) {
    return localStorage.getItem("qualitrack-prepared-" + audit);
  };
  var showPrepared = function () {
    var audit = auditId();
    var when = audit && prepared(audit);
    say("offline-prepared", when ? words("prepared").replace("{when}", new Date(when).toLocaleString(document.documentElement.lang || "fr")) : words("not-prepared"));
  };
  var prepare = function () {
    var audit = auditId();
    if (!audit || !navigator.serviceWorker) {
      say("offline-prepared", words("unsupported"));
      return;
    }
    say("offline-prepared", words("preparing"));
    var urls = ["/audits/" + audit + "/constats", "/audits/" + audit + "/comparaison"];
    document.querySelectorAll("#tree a[data-ref]").forEach(function (link) {
      urls.push(link.getAttribute("data-hx-get").split("?")[0]);
    });
    document.querySelectorAll('link[rel="stylesheet"], script[src], link[rel="icon"]').forEach(function (asset) {
      urls.push(asset.getAttribute("href") || asset.getAttribute("src"));
    });
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({ type: "prepare", audit: audit, urls: urls });
    });
  };
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var message = event.data || {};
      if (message.type === "prepared") {
        localStorage.setItem("qualitrack-prepared-" + message.audit, new Date().toISOString());
        showPrepared();
      } else if (message.type === "prepare-failed") {
        say("offline-prepared", words("prepare-failed"));
      }
    });
  }
  var network = function () {
    var banner = document.getElementById("network-status");
    if (!banner) return;
    banner.hidden = false;
    banner.className = "flash " + (navigator.onLine ? "flash-success" : "flash-warning");
    banner.textContent = words(navigator.onLine ? "online" : "offline");
    if (navigator.onLine) send();
  };
  window.addEventListener("online", network);
  window.addEventListener("offline", network);

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-offline-prepare]")) {
      event.preventDefault();
      prepare();
    }
  });
  // Signing out takes what this device kept with it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches('form[action="/deconnexion"]') || form.hasAttribute("data-forgotten")) return;
    event.preventDefault();
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-all" });
    }
    Object.keys(localStorage)
      .filter(function (key) {
        return key.indexOf("qualitrack-prepared-") === 0;
      })
      .forEach(function (key) {
        localStorage.removeItem(key);
      });
    var done = function () {
      form.setAttribute("data-forgotten", "");
      form.submit();
    };
    var deleting = indexedDB.deleteDatabase(DB);
    deleting.onsuccess = deleting.onerror = deleting.onblocked = done;
  });

  document.addEventListener("DOMContentLoaded", function () {
    // An audit whose report is submitted keeps nothing on the device.
    var closed = document.querySelector("[data-audit-closed]");
    if (closed) forget(closed.getAttribute("data-audit-closed"));
    if (!workspace()) return;
    document.getElementById("offline-panel").hidden = false;
    if (navigator.serviceWorker) navigator.serviceWorker.register("/sw.js");
    showPrepared();
    // A page kept on the device shows the requirement it was kept with: the one asked for is
    // opened from the device's copy.
    var asked = new URLSearchParams(location.search).get("exigence");
    var shown = document.querySelector("#pane article");
    var line = asked && document.getElementById("tree-" + asked);
    if (line && window.htmx && (!shown || shown.id !== "req-" + asked)) {
      window.htmx.ajax("GET", line.getAttribute("data-hx-get"), { target: "#pane" });
    }
    if (!navigator.onLine) network();
    draw().then(send);
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (workspace()) draw();
  });
})();
