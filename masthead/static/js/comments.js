/* Progressive enhancement for comments: post, reply and react without a page reload.
   Without JavaScript every form posts normally. Server HTML is inserted only from our
   own JSON responses (rendered and escaped by Django); user text is set with textContent. */
(function () {
  "use strict";
  var root = document.querySelector("[data-comments]");
  if (!root || !window.fetch || !window.FormData) return;

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) { return r.json().then(function (j) { j.httpStatus = r.status; return j; }); });
  }

  function say(form, text, ok) {
    var box = form.querySelector("[data-comment-message]");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    box.classList.toggle("is-ok", !!ok);
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  root.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.matches("[data-comment-form]")) {
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button.disabled) return; // double submit guard (the server also has one)
      button.disabled = true;
      send(form).then(function (res) {
        if (res.status === "login" && res.login_url) { window.location.href = res.login_url; return; }
        if (res.nonce) { var n = form.querySelector("input[name=nonce]"); if (n) n.value = res.nonce; }
        var ok = res.status === "published" || res.status === "pending";
        say(form, res.message, ok);
        if (!ok) return; // text stays in the textarea for the writer to fix
        form.querySelector("textarea").value = "";
        if (res.comment && !res.duplicate) {
          var list;
          if (res.comment.parent_id) {
            var parent = document.getElementById("comment-" + res.comment.parent_id);
            list = parent && parent.querySelector("[data-comment-replies]");
          }
          list = list || root.querySelector("[data-comment-list]");
          var empty = root.querySelector("[data-comment-empty]");
          if (empty) empty.remove();
          if (!res.comment.parent_id && /[?&]sort=newest/.test(window.location.search)) list.prepend(fragment(res.comment.html));
          else list.appendChild(fragment(res.comment.html));
          var el = document.getElementById("comment-" + res.comment.id);
          if (el) el.scrollIntoView({ block: "nearest" });
          if (res.status === "published") {
            var count = root.querySelector("[data-comment-count]");
            var m = count && count.textContent.match(/\d+/);
            if (m) count.textContent = "(" + (parseInt(m[0], 10) + 1) + ")";
          }
        }
      }).catch(function () {
        say(form, "We could not reach the server. Your text is still here; please try again.", false);
      }).finally(function () { button.disabled = false; });
    } else if (form.matches("[data-comment-react]")) {
      ev.preventDefault();
      var btn = ev.submitter;
      // One click, one intent: while a reaction is on its way the form takes no other
      // (the second click of a double click would otherwise undo the first).
      if (!btn || form.dataset.busy) return;
      form.dataset.busy = "1";
      send(form, btn).then(function (res) {
        if (res.status === "login" && res.login_url) { window.location.href = res.login_url; return; }
        if (!res.ok) { window.alert(res.message); return; }
        form.querySelector("[data-like-count]").textContent = res.like_count;
        form.querySelector("[data-dislike-count]").textContent = res.dislike_count;
        form.querySelectorAll("button[data-reaction]").forEach(function (b) {
          var kind = b.getAttribute("data-reaction");
          var pressed = (kind === "like" && res.value === 1) || (kind === "dislike" && res.value === -1);
          b.setAttribute("aria-pressed", String(pressed));
          b.value = pressed ? "clear" : kind; // what a click on it asks for next
        });
      }).finally(function () { delete form.dataset.busy; });
    }
  });

  // The second click of a double click is the same intent as the first: ignore it.
  root.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-comment-react] button[data-reaction]");
    if (b && ev.detail > 1) ev.preventDefault();
  }, true);
})();
