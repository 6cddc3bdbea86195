// The progress page of a bulk certificate job: the bar follows the job (polled every second) and the
// page reloads once it is done, failed or stalled. Texts come from the page's JSON block #job-texts.
(function () {
  "use strict";
  var root = document.getElementById("job"), bar = document.getElementById("bar");
  if (!root || !bar) return;
  var texts = JSON.parse(document.getElementById("job-texts").textContent);
  var lang = document.documentElement.lang, number = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  function show(percent) {
    bar.style.width = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", percent);
  }
  show(Number(bar.parentElement.getAttribute("aria-valuenow")) || 0);
  function poll() {
    fetch(root.dataset.url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(job.percent);
        bar.textContent = number.format(job.percent) + (lang === "en" ? "%" : "\u00a0%");  // as the | percent filter
        document.getElementById("counts").textContent =
          texts.counts.replace("{d}", number.format(job.done)).replace("{t}", number.format(job.total));
        document.getElementById("state").textContent = texts.labels[job.status] || job.status;
        if (job.status === "done" || job.status === "failed" || job.stalled) { location.reload(); return; }
        setTimeout(poll, 1000);
      });
  }
  if (root.dataset.active === "yes") poll();  // finished, failed or stalled: the page says it all
})();
