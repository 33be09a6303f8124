// Sends this session's CSRF token with every htmx request (forms carry it as a field).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

// The findings workspace works from the keyboard alone (the keys are listed on the screen):
// J / K, and the arrows outside a group of grades, move between requirements from anywhere
// but a text field; a digit picks a grade (0: not assessed); E goes to the finding's text;
// Ctrl+Enter saves and gives the keyboard back to the requirement; Escape leaves a field.
(function () {
  var workspace = function () {
    return document.querySelector("[data-workspace]");
  };
  // Where keys are letters the user types (radios and boxes are not).
  var textual = function (el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset)$/.test(el.type);
  };
  var lines = function () {
    return Array.prototype.slice.call(document.querySelectorAll("#tree a[data-ref]"));
  };
  var current = function () {
    return document.querySelector("#tree a[aria-current='true']");
  };
  var requirement = function () {
    return document.querySelector("#pane article.finding");
  };
  // After the pane or the requirement is swapped, the keyboard goes back to the requirement.
  var focusAfterSwap = false;
  var mark = function (reference) {
    lines().forEach(function (line) {
      line.removeAttribute("aria-current");
    });
    var line = document.getElementById("tree-" + reference);
    if (line) {
      line.setAttribute("aria-current", "true");
      line.scrollIntoView({ block: "nearest" });
    }
  };
  // What the grading form held when it was laid out: leaving it changed saves it first, so
  // that nothing typed is lost by moving to another requirement.
  var grading = function () {
    return document.querySelector("#pane form.finding-form");
  };
  var serialised = function (form) {
    return new URLSearchParams(new FormData(form)).toString();
  };
  var remember = function () {
    var form = grading();
    if (form) form.setAttribute("data-initial", serialised(form));
  };
  var changed = function () {
    var form = grading();
    return form && form.hasAttribute("data-initial") && serialised(form) !== form.getAttribute("data-initial");
  };
  // The requirement to open once the save under way is done.
  var pending = null;
  var go = function (link) {
    // A save replaces the line out of band: the link is found again by its requirement.
    var reference = link.getAttribute("data-ref");
    link = document.getElementById("tree-" + reference) || link;
    if (changed()) {
      pending = link;
      focusAfterSwap = false;
      grading().requestSubmit();
      // Online, the move waits for the save's answer; offline the save was queued at once
      // (offline.js), and the move goes on.
      if (changed()) return;
      pending = null;
    }
    mark(link.getAttribute("data-ref"));
    focusAfterSwap = true;
    expectPane = true;
    opening = true;
    link.click();
    opening = false;
  };
  var opening = false;
  // A requirement is being opened: the focus waits for the pane, not for earlier swaps.
  var expectPane = false;
  var move = function (step) {
    var all = lines();
    if (!all.length) return;
    var index = all.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    if (next === index) return;
    go(all[next]);
  };
  document.addEventListener("keydown", function (event) {
    if (!workspace()) return;
    var target = event.target;
    var inPane = target.closest && target.closest("#pane");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = (inPane && target.closest("form")) || document.querySelector("#pane form.finding-form");
      if (form) {
        event.preventDefault();
        focusAfterSwap = true;
        form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape" && inPane && target !== requirement()) {
      event.preventDefault();
      var here = requirement();
      if (here) here.focus();
      return;
    }
    if (textual(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    var onRadio = target.type === "radio";
    var key = event.key;
    if (key === "j" || key === "J" || (key === "ArrowDown" && !onRadio)) {
      event.preventDefault();
      move(1);
    } else if (key === "k" || key === "K" || (key === "ArrowUp" && !onRadio)) {
      event.preventDefault();
      move(-1);
    } else if (/^[0-9]$/.test(key)) {
      var choice = document.querySelectorAll("#pane form.finding-form input[name=grade_code]")[Number(key)];
      if (choice) {
        event.preventDefault();
        choice.checked = true;
        choice.focus();
      }
    } else if (key === "e" || key === "E") {
      var text = document.querySelector("#pane form.finding-form textarea[name=finding]");
      if (text) {
        event.preventDefault();
        text.focus();
      }
    }
  });
  // A line or a neighbour opened with the mouse goes the same way (caught before htmx sees
  // the click, so that a changed requirement is saved first).
  document.addEventListener(
    "click",
    function (event) {
      if (opening || !workspace() || !event.target.closest) return;
      var link = event.target.closest("#tree a[data-ref], .pane-nav a[data-ref]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      event.stopPropagation();
      go(link);
    },
    true
  );
  // The save's answer, seen before it replaces the form (events on the form itself are lost
  // with it): saved, the requirement waiting is opened once the page settles; refused
  // (invalid, or changed meanwhile by someone else), the auditor stays and reads why.
  var resume = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!pending) return;
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!from || !from.matches || !from.matches("form.finding-form")) return;
    if (event.detail.xhr && event.detail.xhr.status === 200) resume = pending;
    pending = null;
  });
  // A request that fails leaves nothing to wait for.
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function () {
      expectPane = false;
      pending = null;
      resume = null;
    });
  });
  // The line shown is in view in its list when the page opens.
  document.addEventListener("DOMContentLoaded", function () {
    remember();
    var line = workspace() && current();
    var tree = line && line.closest(".req-tree");
    if (tree && tree.scrollHeight > tree.clientHeight) {
      tree.scrollTop = line.offsetTop - tree.offsetTop - tree.clientHeight / 3;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var space = workspace();
    if (!space) return;
    if (event.detail.target && event.detail.target.id === "pane") space.classList.add("chosen");
    remember();
    if (resume) {
      var next = resume;
      resume = null;
      go(next);
      return;
    }
    var intoPane = event.detail.target && event.detail.target.id === "pane";
    if (expectPane && !intoPane) return;
    expectPane = false;
    if (focusAfterSwap) {
      focusAfterSwap = false;
      var here = requirement();
      if (here) here.focus();
    }
  });
})();
