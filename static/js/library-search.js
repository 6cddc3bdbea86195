// Search-as-you-type over the verified libraries of the chosen regency. The chosen library's id
// goes into the hidden #library_id; "my library is not listed" shows the proposal fields.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.dataset.url;
  var input = document.getElementById("library_name");
  var hidden = document.getElementById("library_id");
  var regency = document.getElementById("regency_code");
  var list = document.getElementById("library-results");
  var notListed = document.getElementById("not_listed");
  var proposal = document.getElementById("proposal-fields");
  var timer = null;

  function render(items) {
    list.innerHTML = "";
    items.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action";
      button.textContent = item.name;
      var small = document.createElement("div");
      small.className = "small text-muted";
      small.textContent = item.type;
      button.appendChild(small);
      button.addEventListener("click", function () {
        hidden.value = item.id;
        input.value = item.name;
        list.innerHTML = "";
        input.classList.add("is-valid");
      });
      list.appendChild(button);
    });
    if (!items.length && input.value.length >= 2) {
      var empty = document.createElement("div");
      empty.className = "list-group-item small text-muted";
      empty.textContent = script.dataset.empty;
      list.appendChild(empty);
    }
  }

  function search() {
    if (!regency.value) { render([]); return; }
    fetch(url + "?kabupaten=" + encodeURIComponent(regency.value) + "&q=" + encodeURIComponent(input.value),
          {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) { render(data.items); });
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    input.classList.remove("is-valid");
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("focus", search);
  regency.addEventListener("change", function () { hidden.value = ""; input.value = ""; render([]); });

  function toggle() { proposal.hidden = !notListed.checked; input.disabled = notListed.checked; }
  notListed.addEventListener("change", toggle);
  toggle();

  // Show back the name as it will be printed on the certificate.
  var name = document.getElementById("full_name");
  var preview = document.getElementById("certificate-name");
  function showName() { preview.textContent = name.value.trim() || "…"; }
  name.addEventListener("input", showName);
  showName();
})();
