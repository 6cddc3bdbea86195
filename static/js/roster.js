// Attendance roster: every tap is saved at once; without a connection the mark waits in
// localStorage and is sent when the connection returns. Each mark carries a random key, so a
// mark sent twice (a retry after a lost answer) is stored once. A note typed after the tap is
// saved on its own (a second after the last key, or when the field is left) through the same
// queue; the server keeps the latest status and the latest note apart, so neither undoes the other.
(function () {
  "use strict";
  var script = document.currentScript;
  var text = script.dataset;
  var root = document.getElementById("roster");
  if (!root) return;
  var url = root.dataset.url;
  var tokenUrl = root.dataset.tokenUrl;
  var day = root.dataset.day;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  // One queue per account and class: marks waiting on a shared phone are never sent in another's name.
  var storeKey = "sibimtek-attendance-u" + root.dataset.user + "-c" + root.dataset.class;
  var pendingBadge = document.getElementById("pending");
  var offlineBadge = document.getElementById("offline-badge");
  var counts = document.getElementById("counts");
  var NOTE_DELAY_MS = 1000;
  var noteTimers = {};
  var sending = false;
  var loginNeeded = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load() { try { return JSON.parse(localStorage.getItem(storeKey)) || []; } catch (e) { return []; } }
  function save(queue) { localStorage.setItem(storeKey, JSON.stringify(queue)); }
  function rowOf(id) { return root.querySelector('.roster-row[data-registration="' + id + '"]'); }
  function idOf(row) { return Number(row.dataset.registration); }
  function noteOf(row) { return row.querySelector(".note"); }
  function waiting(row, queue) {
    return (queue || load()).filter(function (m) { return m.registration_id === idOf(row) && m.day === day; });
  }

  // Marks queued before accounts had their own queue (one per class) belong to whoever opens it first.
  (function adoptOldQueue() {
    var oldKey = "sibimtek-attendance-" + root.dataset.class;
    try {
      var old = JSON.parse(localStorage.getItem(oldKey) || "[]");
      if (old.length) save(load().concat(old));
    } catch (e) { /* unreadable: nothing to adopt */ }
    localStorage.removeItem(oldKey);
  })();

  function label(row) {
    var status = row.dataset.status;
    if (status) {
      var button = row.querySelector('.btn-status[data-status="' + status + '"]');
      return button ? button.textContent.trim() : status;
    }
    return noteOf(row).value.trim() ? text.note : "";
  }

  // state: "pending" (waits in the queue), "saved" (the server has it), "refused", or "" (as loaded).
  function paint(row, state, reason) {
    var status = row.dataset.status;
    row.classList.toggle("pending", state === "pending");
    row.classList.toggle("refused", state === "refused");
    row.querySelectorAll(".btn-status").forEach(function (b) {
      var on = b.dataset.status === status;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var noteWaits = waiting(row).some(function (m) { return m.note !== undefined; });
    noteOf(row).classList.toggle("note-pending", noteWaits);
    noteOf(row).classList.toggle("note-saved", state === "saved" && !noteWaits && noteOf(row).value.trim() !== "");
    var name = label(row), line = name ? "✓ " + name : "";
    if (state === "refused") line = "✗ " + text.refused + ": " + reason;
    else if (state === "pending") line = "… " + name + " · " + text.pending;
    else if (state === "saved" && name) line = "✓ " + name + " · " + text.saved;
    row.querySelector(".state").textContent = line;
  }

  function refreshCounts() {
    var queue = load();
    pendingBadge.hidden = queue.length === 0;
    pendingBadge.textContent = text.waiting.replace("%(n)s", queue.length);
    offlineBadge.hidden = navigator.onLine;
    var rows = root.querySelectorAll(".roster-row");
    var marked = Array.prototype.filter.call(rows, function (r) { return r.dataset.status; }).length;
    counts.textContent = text.counts.replace("%(m)s", marked).replace("%(u)s", rows.length - marked);
  }

  function enqueue(row, mark) {
    mark.client_key = newKey();
    mark.registration_id = idOf(row);
    mark.day = day;
    mark.marked_at = new Date().toISOString();
    var queue = load();
    queue.push(mark);
    save(queue);
    paint(row, "pending");
    refreshCounts();
    flush();
  }

  function tap(row, status) {
    clearTimeout(noteTimers[idOf(row)]);
    var mark = {status: status};
    var note = noteOf(row).value.trim();
    if (note !== row.dataset.note) { mark.note = note; row.dataset.note = note; }  // typed, not yet sent
    row.dataset.status = status;
    enqueue(row, mark);
  }

  function saveNote(row) {
    clearTimeout(noteTimers[idOf(row)]);
    delete noteTimers[idOf(row)];
    var note = noteOf(row).value.trim();
    if (note === row.dataset.note) return;
    row.dataset.note = note;
    enqueue(row, {note: note});
  }

  function post(mark) {
    // sent_at: this phone's clock now, so the server can tell how long ago (by this same clock) the
    // tap happened, whatever the phone's clock is set to.
    var body = Object.assign({}, mark, {sent_at: new Date().toISOString()});
    return fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(body),
      credentials: "same-origin",
      redirect: "manual"  // a redirect means the session ended: never mistake the login page for success
    });
  }

  function renewToken() {
    return fetch(tokenUrl, {credentials: "same-origin", redirect: "manual", cache: "no-store",
                            headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("no token");
        return response.json();
      })
      .then(function (body) { csrf = body.csrf_token; });
  }

  function needLogin() {
    loginNeeded = true;
    document.getElementById("login-again").hidden = false;
  }

  // The server's view, once nothing waits for the row: another facilitator may have marked later.
  function settle(row, body) {
    row.dataset.status = body.current_status || "";
    var input = noteOf(row);
    if (document.activeElement !== input && !noteTimers[idOf(row)]) {
      input.value = body.current_note || "";
      row.dataset.note = input.value.trim();
    }
    paint(row, "saved");
  }

  // A copy of the page kept by the service worker is refreshed once everything is sent.
  function refreshOfflineCopy() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      fetch(location.pathname, {credentials: "same-origin", headers: {Accept: "text/html"}}).catch(function () {});
    }
  }

  function flush(renewed) {
    if (sending || loginNeeded) return;
    var queue = load();
    refreshCounts();
    if (!queue.length || !navigator.onLine) return;
    sending = true;
    var mark = queue[0];
    post(mark).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) { needLogin(); return "stop"; }
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 400 && body.csrf && !renewed) {
          return renewToken().then(function () { return "renewed"; }, function () { needLogin(); return "stop"; });
        }
        var rest = load().filter(function (m) { return m.client_key !== mark.client_key; });
        var row = mark.day === day ? rowOf(mark.registration_id) : null;
        if (response.ok) {
          save(rest);
          if (row && !waiting(row, rest).length) settle(row, body);
          if (!rest.length) refreshOfflineCopy();
        } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          save(rest);  // the server refused it for good: show why, do not retry
          if (row) {
            if (mark.status) row.dataset.status = "";
            // {"error": {"status", "message"}} (an older server: {"error": "message"})
            paint(row, "refused", (body.error && body.error.message) || body.error || response.status);
          }
        } else {
          throw new Error("retry later");
        }
        return "next";
      });
    }).then(function (outcome) {
      sending = false;
      refreshCounts();
      if (outcome === "renewed") flush(true);
      else if (outcome === "next" && load().length) flush();
    }).catch(function () {
      sending = false;
      refreshCounts();
    });
  }

  root.querySelectorAll(".roster-row").forEach(function (row) {
    var input = noteOf(row);
    row.dataset.note = input.value.trim();
    row.querySelectorAll(".btn-status").forEach(function (button) {
      button.addEventListener("click", function () { tap(row, button.dataset.status); });
    });
    input.addEventListener("input", function () {
      clearTimeout(noteTimers[idOf(row)]);
      noteTimers[idOf(row)] = setTimeout(function () { saveNote(row); }, NOTE_DELAY_MS);
    });
    input.addEventListener("change", function () { saveNote(row); });
    input.addEventListener("blur", function () { saveNote(row); });
  });
  // A note typed just before the page is left is queued, not lost.
  window.addEventListener("pagehide", function () {
    Object.keys(noteTimers).forEach(function (id) { var row = rowOf(id); if (row) saveNote(row); });
  });
  var all = document.getElementById("all-present");
  if (all) all.addEventListener("click", function () {
    var marked = 0;
    root.querySelectorAll(".roster-row").forEach(function (row) {
      if (!row.dataset.status) { tap(row, "hadir"); marked += 1; }
    });
    // Say what happened: with everyone marked already, the tap changes nothing on screen.
    var done = document.getElementById("all-present-result");
    if (done) done.textContent = marked ? script.dataset.allMarked.replace("%(n)s", marked) : script.dataset.allNone;
  });

  // Marks left from an earlier visit (the page was closed, or shown from the offline copy) show as waiting.
  load().forEach(function (mark) {
    var row = mark.day === day ? rowOf(mark.registration_id) : null;
    if (!row) return;
    if (mark.status) row.dataset.status = mark.status;
    if (mark.note !== undefined) { noteOf(row).value = mark.note; row.dataset.note = mark.note; }
    paint(row, "pending");
  });
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", refreshCounts);
  setInterval(function () { flush(); }, 10000);
  flush();
})();
