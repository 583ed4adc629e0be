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

  // Markdown preview: the server renders the text as it will be shown (sanitized, like
  // every post), and the preview appears under the text area.
  document.querySelectorAll("textarea[data-preview]").forEach(function (area, n) {
    var form = area.form;
    var token = form && form.querySelector("input[name=csrf]");
    if (!token) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = area.getAttribute("data-preview");
    var region = document.createElement("section");
    region.className = "preview card";
    region.id = "preview-" + n;
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-label", area.getAttribute("data-preview-title") || "Preview");
    region.hidden = true;
    button.setAttribute("aria-controls", region.id);
    area.insertAdjacentElement("afterend", region);
    area.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("csrf", token.value);
      body.set("body", area.value);
      fetch("/preview", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { region.innerHTML = html; region.hidden = false; })
        .catch(function () { region.hidden = true; });
    });
  });
});
