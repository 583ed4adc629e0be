// copse: comforts for browsers that run scripts. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Copy buttons: hidden until a script can make them work.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = button.getAttribute("data-copied") || "Copied";
      var status = document.getElementById(button.getAttribute("aria-describedby") || "");
      navigator.clipboard.writeText(text).then(function () {
        if (status) { status.textContent = done; }
      });
    });
  });
});
