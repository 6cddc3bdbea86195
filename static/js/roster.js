// Attendance roster: every tap is saved at once; without a connection the mark waits in
// localStorage and is sent when the connection returns. Each mark carries a random key, so a
// mark sent twice (a retry after a lost answer) is stored once.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.getElementById("roster");
  if (!root) return;
  var url = root.dataset.url;
  var day = root.dataset.day;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var storeKey = "sibimtek-attendance-" + root.dataset.class;
  var pendingBadge = document.getElementById("pending");
  var counts = document.getElementById("counts");
  var sending = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load() { try { return JSON.parse(localStorage.getItem(storeKey)) || []; } catch (e) { return []; } }
  function save(queue) { localStorage.setItem(storeKey, JSON.stringify(queue)); }
  function rowOf(id) { return root.querySelector('.roster-row[data-registration="' + id + '"]'); }

  function showRow(row, status, state, text) {
    row.dataset.status = status;
    row.classList.toggle("pending", state === "pending");
    row.classList.toggle("refused", state === "refused");
    row.querySelectorAll(".btn-status").forEach(function (b) {
      var on = b.dataset.status === status;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    row.querySelector(".state").textContent = text;
  }

  function refreshCounts() {
    var queue = load();
    pendingBadge.hidden = queue.length === 0;
    pendingBadge.textContent = script.dataset.waiting.replace("%(n)s", queue.length);
    var rows = root.querySelectorAll(".roster-row");
    var marked = Array.prototype.filter.call(rows, function (r) { return r.dataset.status; }).length;
    counts.textContent = script.dataset.counts.replace("%(m)s", marked).replace("%(u)s", rows.length - marked);
  }

  function label(row, status) {
    var button = row.querySelector('.btn-status[data-status="' + status + '"]');
    return button ? button.textContent.trim() : status;
  }

  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length || !navigator.onLine) { refreshCounts(); return; }
    sending = true;
    var mark = queue[0];
    fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(mark),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        var rest = load().filter(function (m) { return m.client_key !== mark.client_key; });
        var row = rowOf(mark.registration_id);
        if (response.ok) {
          save(rest);
          if (row && row.dataset.status === mark.status) {
            var stillWaiting = rest.some(function (m) { return m.registration_id === mark.registration_id; });
            if (!stillWaiting) showRow(row, mark.status, "saved", "✓ " + label(row, mark.status) + " · " + script.dataset.saved);
          }
        } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          save(rest);  // the server refused it for good: show why, do not retry
          if (row) showRow(row, "", "refused", "✗ " + script.dataset.refused + ": " + (body.error || response.status));
        } else {
          throw new Error("retry later");
        }
      });
    }).then(function () {
      sending = false;
      refreshCounts();
      if (load().length) flush();
    }).catch(function () {
      sending = false;
      refreshCounts();
    });
  }

  function tap(row, status) {
    var note = row.querySelector(".note").value;
    var queue = load();
    queue.push({
      client_key: newKey(), registration_id: Number(row.dataset.registration), day: day,
      status: status, note: note, marked_at: new Date().toISOString()
    });
    save(queue);
    showRow(row, status, "pending", "… " + label(row, status));
    refreshCounts();
    flush();
  }

  root.querySelectorAll(".roster-row").forEach(function (row) {
    row.querySelectorAll(".btn-status").forEach(function (button) {
      button.addEventListener("click", function () { tap(row, button.dataset.status); });
    });
  });
  var all = document.getElementById("all-present");
  if (all) all.addEventListener("click", function () {
    root.querySelectorAll(".roster-row").forEach(function (row) { if (!row.dataset.status) tap(row, "hadir"); });
  });

  // Marks left from an earlier visit (the page was closed while offline) show as waiting.
  load().forEach(function (mark) {
    var row = rowOf(mark.registration_id);
    if (row && mark.day === day) showRow(row, mark.status, "pending", "… " + label(row, mark.status));
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", refreshCounts);
  setInterval(flush, 10000);
  refreshCounts();
  flush();
})();
