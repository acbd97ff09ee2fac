// Kiosk tablets only: after a while without input, discard the answers on screen and start
// fresh for the next person. The form works the same without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-kiosk-idle]");
  if (!form) { return; }
  var seconds = parseInt(form.getAttribute("data-kiosk-idle"), 10) || 120;
  var start = form.getAttribute("data-kiosk-start");
  var timer = null;
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { window.location.replace(start); }, seconds * 1000);
  }
  ["input", "change", "keydown", "pointerdown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
}());
