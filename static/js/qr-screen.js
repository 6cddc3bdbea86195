// The check-in QR screen: the code changes every 30 s; the screen stays awake and can fill the whole
// screen for a room. The button's two labels come from its data-enter / data-leave attributes.
(function () {
  "use strict";
  var box = document.getElementById("qr"), countdown = document.getElementById("countdown");
  var error = document.getElementById("qr-error"), screen = document.getElementById("qr-screen");
  var button = document.getElementById("fullscreen"), left = 0, timer = null;
  if (!box) return;
  function stop(message) {
    clearInterval(timer);
    box.hidden = true;
    countdown.textContent = "";
    error.textContent = message;
    error.hidden = false;
  }
  function refresh() {
    left = 5;  // without an answer (no connection) try again in a few seconds
    fetch(box.dataset.url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (!answer.ok) { stop(answer.data.error.message || answer.data.error); return; }
        box.innerHTML = answer.data.svg;  // segno's SVG: paths only, no script or style attribute
        box.dataset.link = answer.data.url;
        left = answer.data.rotate;
      })
      .catch(function () {});
  }
  refresh();
  timer = setInterval(function () { left -= 1; if (left <= 0) refresh(); countdown.textContent = "(" + Math.max(left, 0) + ")"; }, 1000);

  var wakeLock = null;
  function keepAwake() {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
    }
  }
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);
  if (button && screen.requestFullscreen) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else screen.requestFullscreen().catch(function () {});
    });
    document.addEventListener("fullscreenchange", function () {
      button.textContent = document.fullscreenElement ? button.dataset.leave : button.dataset.enter;
    });
  }
})();
