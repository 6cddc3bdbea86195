// Small behaviours for every page: the error summary of a failed form, wide tables that scroll, and the
// declarative ones the templates ask for with data-* attributes (the Content-Security-Policy allows no
// inline script or onclick=): data-confirm, data-autosubmit (+ data-autosubmit-clear), data-check-all,
// data-copy (+ data-copied), data-max-bytes (+ data-too-big) on file inputs.
(function () {
  "use strict";

  // The error summary takes the focus (autofocus does it where a browser honours it on a <div>), and its
  // links move to the field with its label in view: a plain #anchor would hide the label above the screen.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var group = input.closest("fieldset");
      var label = (input.type === "radio" || input.type === "checkbox") && group
        ? group.querySelector("legend") : document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView({block: "start"});
      input.focus({preventScroll: true});
      history.replaceState(null, "", "#" + input.id);
    });
  }

  // A table wider than the screen scrolls sideways: a keyboard can scroll it only when it can be focused,
  // and a screen reader then names it after the table's caption or the heading before it.
  function headingText(el) {
    if (/^H[1-6]$/.test(el.tagName)) { return el.textContent.trim(); }
    var inner = el.querySelectorAll("h1, h2, h3, h4, h5, h6");
    return inner.length ? inner[inner.length - 1].textContent.trim() : "";
  }
  var used = {};
  function labelFor(box) {
    var caption = box.querySelector("caption");
    var label = caption ? caption.textContent.trim() : "";
    // The nearest heading before the table: a sibling, or one inside a sibling of an ancestor (a card header).
    for (var node = box; !label && node && node !== document.body; node = node.parentElement) {
      for (var el = node.previousElementSibling; el && !label; el = el.previousElementSibling) {
        label = headingText(el);
      }
    }
    label = label || document.title;
    used[label] = (used[label] || 0) + 1;
    return used[label] > 1 ? label + " (" + used[label] + ")" : label;  // landmarks need distinct names
  }
  function markScrollable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", labelFor(box));
        box.dataset.scrollMarked = "1";
      } else if (!scrolls && box.dataset.scrollMarked) {
        // aria-label is not allowed on a plain <div>: take it away with the role.
        ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
        delete box.dataset.scrollMarked;
      }
    });
  }
  markScrollable();
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(markScrollable, 150); });

  // <button data-confirm="Hapus kelas ini?">: nothing is sent unless the person says yes.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
  });

  // <button data-copy="some-id" data-copied="Tersalin">: copies the text of #some-id (a new API token) and
  // says so on the button for a moment. Without the clipboard API (plain HTTP, an old browser) the text is
  // selected instead, ready for Ctrl+C.
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    var source = button && document.getElementById(button.dataset.copy);
    if (!source) { return; }
    var text = source.textContent.trim();
    function copied() {
      if (!button.dataset.label) { button.dataset.label = button.textContent; }
      button.textContent = button.dataset.copied || button.dataset.label;
      clearTimeout(button.copiedTimer);
      button.copiedTimer = setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, function () { selectText(source); });
    } else {
      selectText(source);
    }
  });

  // A form whose file is over its limit is not sent (forms are `novalidate`: the server reports the other
  // fields' problems all at once, but a file too large is better refused before it travels).
  document.addEventListener("submit", function (event) {
    var tooBig = event.target.querySelector("input[type=file][data-max-bytes]:invalid");
    if (tooBig) {
      event.preventDefault();
      tooBig.reportValidity();
      tooBig.focus();
    }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    // <select data-autosubmit data-autosubmit-clear="kabupaten">: a filter applies as soon as it is picked;
    // a field that depends on it (the regency of another province) is emptied first.
    if (input.matches("[data-autosubmit]") && input.form) {
      var dependent = input.dataset.autosubmitClear && input.form.elements[input.dataset.autosubmitClear];
      if (dependent) { dependent.value = ""; }
      input.form.submit();
    }
    // <input type="file" data-max-bytes="2097152" data-too-big="…">: a file over the limit is refused here,
    // before the whole form travels to a server that would refuse it (and, past MAX_CONTENT_LENGTH,
    // answer a page without the form).
    if (input.matches("input[type=file][data-max-bytes]")) {
      var limit = Number(input.dataset.maxBytes);
      var tooBig = Array.prototype.some.call(input.files || [], function (file) { return file.size > limit; });
      input.setCustomValidity(tooBig ? input.dataset.tooBig : "");
      if (tooBig) { input.reportValidity(); }
    }
    // <input type="checkbox" data-check-all="ids">: ticks or clears every box named "ids" of the page.
    if (input.matches("[data-check-all]")) {
      document.querySelectorAll("input[type=checkbox][name='" + input.dataset.checkAll + "']").forEach(function (box) {
        box.checked = input.checked;
      });
    }
  });
})();
