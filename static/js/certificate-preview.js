// Certificate settings: the preview follows what the organiser types (nothing is saved until
// "Simpan"). The form's values go to the preview URL as query parameters, at most every 0.7 s.
(function () {
  "use strict";
  var form = document.getElementById("settings-form");
  var frame = document.getElementById("preview");
  if (!form || !frame) return;
  var timer = null;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrf_token");
    frame.src = frame.dataset.base + "?" + params.toString();
    var link = document.getElementById("preview-link");
    if (link) link.href = frame.src;
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
})();
