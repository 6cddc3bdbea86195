// Search-as-you-type over the verified libraries of the chosen regency, as a WAI-ARIA combobox with a
// listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/): the focus stays in the text box,
// arrow keys move the active option (aria-activedescendant), Enter chooses it, Escape closes the list
// (or, when it is closed, clears the box). The chosen library's id goes into the hidden #library_id;
// "my library is not listed" shows the proposal fields.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.dataset.url;
  var input = document.getElementById("library_name");
  var hidden = document.getElementById("library_id");
  var regency = document.getElementById("regency_code");
  var list = document.getElementById("library-results");
  var status = document.getElementById("library-status");
  var notListed = document.getElementById("not_listed");
  var proposal = document.getElementById("proposal-fields");
  var timer = null;
  var items = [];
  var active = -1;
  var request = 0;

  function options() { return list.querySelectorAll("[role=option]"); }

  function setActive(index) {
    var all = options();
    if (!all.length) { return; }
    active = (index + all.length) % all.length;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      option.classList.toggle("active", i === active);
    });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({block: "nearest"});
  }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open() {
    if (!items.length) { return; }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function choose(index) {
    var item = items[index];
    if (!item) { return; }
    clearTimeout(timer);
    request++;  // an answer still on its way must not open the list again
    hidden.value = item.id;
    input.value = item.name;
    input.classList.add("is-valid");
    input.classList.remove("is-invalid");
    close();
    status.textContent = script.dataset.chosen.replace("%s", item.name);
  }

  function render(found) {
    // A newer answer keeps the option the person is on, if it is still there.
    var activeId = active >= 0 && items[active] ? items[active].id : null;
    items = found;
    active = -1;
    list.innerHTML = "";
    found.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "library-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "list-group-item list-group-item-action";
      option.textContent = item.name;
      var small = document.createElement("span");
      small.className = "d-block small text-muted";
      small.textContent = item.type;
      option.appendChild(small);
      // mousedown, not click: the text box keeps the focus (and the list does not close on blur first).
      option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
      list.appendChild(option);
    });
    if (found.length) {
      open();
      status.textContent = script.dataset.found.replace("%s", found.length);
      var again = found.findIndex(function (item) { return item.id === activeId; });
      if (again >= 0) { setActive(again); } else { input.removeAttribute("aria-activedescendant"); }
    } else {
      close();
      status.textContent = input.value.trim().length >= 2 ? script.dataset.empty : "";
    }
  }

  function search() {
    if (!regency.value) { render([]); return; }
    var mine = ++request;
    fetch(url + "?kabupaten=" + encodeURIComponent(regency.value) + "&q=" + encodeURIComponent(input.value),
          {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) { if (mine === request) { render(data.items); } });
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    input.classList.remove("is-valid");
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("focus", function () { if (!hidden.value) { search(); } });
  input.addEventListener("blur", close);
  input.addEventListener("keydown", function (event) {
    var expanded = !list.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!expanded) { open(); }
        setActive(active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!expanded) { open(); }
        setActive(active < 0 ? -1 : active - 1);
        break;
      case "Enter":
        if (expanded && active >= 0) { event.preventDefault(); choose(active); }
        break;
      case "Escape":
        if (expanded) { event.preventDefault(); close(); }
        else if (input.value) { event.preventDefault(); input.value = ""; hidden.value = ""; input.classList.remove("is-valid"); }
        break;
      default:
        break;
    }
  });
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
