// Dependent region selects: a <select data-cascade-child="#next"> refills #next with the
// children of the chosen code (from /api/wilayah/<code>) and clears everything below it.
(function () {
  "use strict";
  var script = document.currentScript;
  var urlTemplate = script.dataset.url;
  var blank = script.dataset.blank || "—";

  function clear(select) {
    select.innerHTML = "";
    var option = document.createElement("option");
    option.value = "";
    option.textContent = blank;
    select.appendChild(option);
    var next = select.dataset.cascadeChild && document.querySelector(select.dataset.cascadeChild);
    if (next) clear(next);
  }

  function refill(parent) {
    var child = document.querySelector(parent.dataset.cascadeChild);
    if (!child) return;
    clear(child);
    if (!parent.value) return;
    child.disabled = true;
    fetch(urlTemplate.replace("CODE", encodeURIComponent(parent.value)), {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) {
        data.items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.code;
          option.textContent = item.name;
          child.appendChild(option);
        });
      })
      .finally(function () { child.disabled = false; });
  }

  document.querySelectorAll("select[data-cascade-child]").forEach(function (select) {
    select.addEventListener("change", function () { refill(select); });
  });
})();
