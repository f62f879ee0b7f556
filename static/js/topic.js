// Live topic page: new posts appear without reloading.
// Asks the REST API for posts after the last one shown (GET /api/v1/topics/{id}/posts/?after=),
// every few seconds while the page is visible. The bodies arrive already rendered and
// sanitized by the server (body_html), so nothing here builds HTML from user text.
(function () {
  "use strict";
  var box = document.getElementById("posts");
  if (!box || box.dataset.more) return; // only the last page grows
  var topic = box.dataset.topic;
  var last = parseInt(box.dataset.last || "0", 10);
  var template = document.getElementById("post-template");
  var note = document.getElementById("live-note");
  var busy = false;
  var delay = 3000;
  if (note) note.hidden = false;

  function initial(name) {
    return (name || "?").trim().charAt(0).toUpperCase();
  }

  function render(post) {
    if (document.getElementById("post-" + post.id)) return;
    var node = template.content.firstElementChild.cloneNode(true);
    var author = post.author || {};
    var name = author.display_name || author.username || "";
    node.id = "post-" + post.id;
    node.dataset.post = post.id;
    var avatar = node.querySelector(".avatar");
    avatar.textContent = initial(name);
    avatar.classList.add("av-" + String(author.id || 0).slice(-1));
    var who = node.querySelector(".who");
    who.textContent = name;
    who.href = "/people/" + encodeURIComponent(author.username || "") + "/";
    var time = node.querySelector("time");
    time.dateTime = post.created_at;
    time.textContent = new Date(post.created_at).toLocaleString(document.documentElement.lang);
    node.querySelector(".prose").innerHTML = post.body_html; // sanitized by the server (nh3)
    box.appendChild(node);
  }

  function poll() {
    if (busy || document.hidden) return schedule();
    busy = true;
    fetch("/api/v1/topics/" + topic + "/posts/?limit=50&after=" + last, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (page) {
        page.results.forEach(function (post) {
          last = Math.max(last, post.id);
          if (!post.deleted) render(post);
        });
        delay = page.next ? 200 : 3000; // catch up quickly after a burst
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // back off while the server is unreachable
      })
      .then(function () {
        busy = false;
        schedule();
      });
  }

  function schedule() {
    window.setTimeout(poll, delay);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });
  schedule();
})();
