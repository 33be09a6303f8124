// Photographs taken on site, in the findings workspace. A picture is reduced on the device
// (its long side to 1600 px, as JPEG: a phone's 4000 px photograph weighs ten times more and
// shows nothing more in a report) before it leaves, then goes through the field mode's queue
// (offline.js): taken in a basement, it waits for the network as a finding does, named by
// the device so that a send retried after a lost answer is recognised by the server.
(function () {
  "use strict";
  var LONG_SIDE = 1600;
  var QUALITY = 0.82;

  var reduce = function (file) {
    if (!window.createImageBitmap) return Promise.resolve({ blob: file, name: file.name });
    return createImageBitmap(file).then(
      function (bitmap) {
        var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        if (bitmap.close) bitmap.close();
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
              resolve(blob ? { blob: blob, name: name } : { blob: file, name: file.name });
            },
            "image/jpeg",
            QUALITY
          );
        });
      },
      // Not a picture this browser can read: sent as it is, the server says what it is.
      function () {
        return { blob: file, name: file.name };
      }
    );
  };
  var key = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var queue = window.qualitrackOffline;
    if (!form.matches || !form.matches("#pane form.photo-form") || !queue) return;
    event.preventDefault();
    var input = form.querySelector("input[type=file]");
    var file = input && input.files[0];
    if (!file) return;
    var caption = form.querySelector("input[name=caption]").value.trim();
    var reference = form.closest("article").id.replace(/^req-/, "");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    reduce(file)
      .then(function (reduced) {
        return queue.add({
          kind: "photo",
          reference: reference,
          url: form.getAttribute("action"),
          key: key(),
          caption: caption,
          blob: reduced.blob,
          name: reduced.name,
          summary: queue.words("photo") + (caption ? " — " + caption : ""),
        });
      })
      .then(function () {
        form.reset();
        button.disabled = false;
      }, function () {
        button.disabled = false;
      });
  });

  // The photographs still on the device, shown beside those the server has.
  var shown = [];
  document.addEventListener("qualitrack:queue", function (event) {
    shown.forEach(function (url) {
      URL.revokeObjectURL(url);
    });
    shown = [];
    var queue = window.qualitrackOffline;
    document.querySelectorAll("[data-photo-queue]").forEach(function (list) {
      var reference = list.getAttribute("data-photo-queue");
      var waiting = event.detail.filter(function (item) {
        return item.kind === "photo" && item.reference === reference && item.blob;
      });
      list.textContent = "";
      list.hidden = !waiting.length;
      waiting.forEach(function (item) {
        var url = URL.createObjectURL(item.blob);
        shown.push(url);
        var line = document.createElement("li");
        var picture = document.createElement("img");
        picture.src = url;
        picture.alt = item.caption || item.summary;
        picture.width = 120;
        picture.height = 90;
        var words = document.createElement("span");
        words.className = "photo-caption";
        words.textContent = (item.caption || item.summary) + " — " + queue.words("state-" + item.state);
        line.appendChild(picture);
        line.appendChild(words);
        list.appendChild(line);
      });
    });
  });
})();
