// Progressive enhancement for "Save" forms: post with fetch and update the button
// without a page reload. Without JavaScript the form posts and redirects back.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("save-story") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    var saved = button.getAttribute("aria-pressed") === "true";
    var url = saved ? form.dataset.removeUrl : form.dataset.saveUrl;
    button.disabled = true;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 401 && result.data.login_url) { window.location.href = result.data.login_url; return; }
      if (!result.data.ok) { form.submit(); return; }
      var nowSaved = !!result.data.saved;
      button.setAttribute("aria-pressed", nowSaved ? "true" : "false");
      button.textContent = nowSaved ? "Saved \u2713 (remove)" : "Save";
      form.action = nowSaved ? form.dataset.removeUrl : form.dataset.saveUrl;
    }).catch(function () { form.submit(); }).finally(function () { button.disabled = false; });
  });
})();
