// Sends this session's CSRF token with every htmx request (forms carry it as a field).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

// The findings screen works from the keyboard alone: J / K move between requirements, E goes
// to the row's grading, Ctrl+Enter saves the row being edited, Escape leaves a field.
(function () {
  var rows = function () {
    return Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-rows] > article"));
  };
  var current = function () {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-keyboard-rows] > article") : null;
  };
  var typing = function (el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  };
  var move = function (step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(current());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    all[next].focus();
    all[next].scrollIntoView({ block: "start" });
  };
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-keyboard-rows]")) return;
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(target)) {
      var form = target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape" && typing(target)) {
      var row = current();
      if (row) row.focus();
      return;
    }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j" || event.key === "J") {
      event.preventDefault();
      move(1);
    } else if (event.key === "k" || event.key === "K") {
      event.preventDefault();
      move(-1);
    } else if (/^[0-9]$/.test(event.key)) {
      // 0: not assessed; 1, 2…: the framework's grades in their order.
      var row = current();
      var choices = row ? row.querySelectorAll(".finding-form input[name=grade_code]") : [];
      var choice = choices[Number(event.key)];
      if (choice) {
        event.preventDefault();
        choice.checked = true;
        choice.focus();
      }
    } else if (event.key === "e" || event.key === "E" || (event.key === "Enter" && target.matches("[data-keyboard-rows] > article"))) {
      var here = current();
      if (!here) return;
      event.preventDefault();
      var opener = here.querySelector("[data-open-row]");
      if (opener) {
        // A summary row: its forms load, then the grading gets the focus.
        opening = here.id;
        opener.click();
        return;
      }
      focusForm(here);
    }
  });
  var opening = null;
  var focusForm = function (row) {
    var field = row.querySelector(".finding-form input[type=radio]:checked") || row.querySelector("form input:not([type=hidden]), form textarea");
    if (field) field.focus();
  };
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-row]");
    if (opener) opening = opener.closest("article").id;
  });
  // A row is replaced when saved or opened: keep the keyboard on it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var id = event.detail.target && event.detail.target.id;
    if (!id) return;
    var row = document.getElementById(id);
    if (!row) return;
    if (opening === id) {
      opening = null;
      focusForm(row);
    } else if (!document.activeElement || document.activeElement === document.body) {
      row.focus();
    }
  });
})();
