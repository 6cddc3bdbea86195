// Small behaviours for every page: the error summary of a failed form, and wide tables that scroll.
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
})();
