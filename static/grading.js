// Answer forms on unit pages: post to the block's submissions URL and show the returned
// widget (queued, or why it was refused). Results then arrive over the socket; a response
// that arrives after a newer pushed state (data-rev) is dropped, so the page never goes back.
(function () {
  "use strict";
  function rev(el) { return parseInt(el.getAttribute("data-rev") || "0", 10); }

  function refusedHere(form, message) {
    var box = form.querySelector(".form-errors");
    if (!box && !message) return;
    if (!box) {
      box = document.createElement("p");
      box.className = "form-errors field-error";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    box.textContent = message.replace(/\s+/g, " ").trim();
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.block) return;
    var holder = form.closest(".unit-block");
    var widget = holder && holder.querySelector(".submission-widget[data-submit-url]");
    if (!widget) return;
    evt.preventDefault();
    var meta = document.querySelector('meta[name="csrf-token"]');
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(widget.dataset.submitUrl, {
      method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
      headers: {"X-CSRF-Token": meta ? meta.content : "", "HX-Request": "true"},
    }).then(function (response) {
      return response.text().then(function (html) { return {ok: response.ok, html: html}; });
    }).then(function (reply) {
      var current = document.getElementById(widget.id);
      var tpl = document.createElement("template");
      tpl.innerHTML = reply.html.trim();
      var fresh = tpl.content.firstElementChild;
      if (!current || !fresh || fresh.id !== current.id) {
        // Refused before the block's handler (an expired session, a CSRF token, a rate
        // limit): say why beside the form, which keeps the answer as typed.
        if (!reply.ok) refusedHere(form, tpl.content.textContent);
        return;
      }
      refusedHere(form, "");
      var refused = fresh.querySelector("[role=alert]");
      if (refused || rev(fresh) >= rev(current)) {
        current.replaceWith(fresh);
        if (window.htmx) htmx.process(fresh);
      }
    }).catch(function () {
      refusedHere(form, cwT("Could not reach the server; your answer is still here. Try again."));
    }).finally(function () { if (button) button.disabled = false; });
  });
})();
