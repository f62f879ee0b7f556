// A live topic page over the one websocket at /ws/ (frames: docs/websocket.md).
//
// - live: `topic.subscribe {topic}`; the server then sends the topic's forum events as
//   they happen: forums.post, forums.post_edited / _deleted / _restored,
//   forums.reaction_added / _removed (with the emoji's new count), forums.topic_updated;
// - forum events carry no seq, so on every `topic.subscribed` (first connect, reconnect,
//   or the server's own resync) the page catches up through REST:
//   GET /api/v1/topics/{id}/posts/?after=<the post before the first shown>, which also
//   brings edits, deletions and reaction counts missed meanwhile;
// - while the socket is down it falls back to asking that endpoint for new posts every
//   few seconds, and reconnects with backoff;
// - only the last page of a topic takes new posts; every page applies edits, deletions
//   and reactions to the posts it shows.
// Bodies arrive rendered and sanitized by the server (body_html); every other piece of
// user text goes in with textContent, under dir="auto" (Arabic stays right-to-left).
(function () {
  "use strict";
  var box = document.getElementById("posts");
  if (!box) return;
  var T = JSON.parse(document.getElementById("topic-strings").textContent);
  var TOPIC = parseInt(box.dataset.topic, 10);
  var NETWORK = parseInt(box.dataset.network, 10);
  var ME = parseInt(box.dataset.me || "0", 10);
  var MODERATOR = box.dataset.moderator === "1";
  var MAY_REACT = box.dataset.mayReact === "1";
  var GROWS = !box.dataset.more; // a later page exists: new posts belong there
  var first = parseInt(box.dataset.first || "0", 10);
  var last = parseInt(box.dataset.last || "0", 10);
  var template = document.getElementById("post-template");
  var note = document.getElementById("live-note");
  var stateChip = document.getElementById("live-state");
  var notice = document.getElementById("topic-notice");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");

  var socket = null;
  var live = false; // subscribed: events arrive, no polling
  var asked = false; // a topic.subscribe of ours awaits its answer
  var closed = false; // access lost: nothing more to do
  var pollTimer = null;
  var pollDelay = 3000;
  var polling = false;
  var fetching = false; // a catch-up is on its way
  var eventsWhileFetching = false;
  if (note) note.hidden = false;

  // --- rendering -----------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hiddenInput(name, value) {
    var input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function postNode(id) {
    return document.getElementById("post-" + id);
  }

  function newPostNode(post) {
    // The page's <template> is forums/_post.html rendered for post 0: the same markup as
    // the posts that came with the page, reaction menu included.
    var node = template.content.firstElementChild.cloneNode(true);
    var author = post.author || {};
    var name = author.display_name || author.username || "";
    node.id = "post-" + post.id;
    node.dataset.post = post.id;
    node.classList.add("fresh");
    node.querySelectorAll("form[action]").forEach(function (form) {
      form.action = form.getAttribute("action").replace("/0/", "/" + post.id + "/");
    });
    node.querySelectorAll("a[href='#post-0']").forEach(function (link) {
      link.setAttribute("href", "#post-" + post.id);
    });
    var avatar = node.querySelector(".avatar");
    avatar.textContent = "";
    if (author.avatar) {
      var img = document.createElement("img");
      img.src = author.avatar;
      img.alt = "";
      avatar.appendChild(img);
    } else {
      avatar.textContent = (name || "?").trim().charAt(0).toUpperCase();
    }
    avatar.className = avatar.className.replace(/\bav-\d\b/, "av-" + String(author.id || 0).slice(-1));
    var who = node.querySelector(".who");
    who.textContent = name;
    who.href = "/people/" + encodeURIComponent(author.username || "") + "/";
    var time = node.querySelector("time");
    time.setAttribute("datetime", post.created_at);
    if (window.shabakaLocalTimes) window.shabakaLocalTimes(node);
    return node;
  }

  function setBody(node, post) {
    // A deleted post keeps its place; its body stays only for moderators (who may restore it).
    var main = node.querySelector(".post-head").parentNode;
    var prose = node.querySelector(".prose");
    var note = node.querySelector(".deleted-note");
    node.classList.toggle("deleted", !!post.deleted);
    if (post.deleted) {
      if (!note) {
        note = el("p", "muted small deleted-note", T.deleted);
        main.insertBefore(note, prose || main.children[1] || null);
      }
      if (post.body_html && prose) prose.innerHTML = post.body_html; // moderators, from REST
      if (prose && !MODERATOR) prose.remove();
      ["reactions", "post-tools"].forEach(function (cls) {
        var part = node.querySelector("." + cls);
        if (part) part.remove();
      });
    } else {
      if (note) note.remove();
      if (!prose) {
        prose = el("div", "prose");
        prose.dir = "auto";
        main.insertBefore(prose, node.querySelector(".reactions, .post-tools"));
      }
      prose.innerHTML = post.body_html; // rendered and sanitized by the server (nh3)
      if (!node.querySelector(".reactions")) {
        main.insertBefore(el("div", "reactions"), node.querySelector(".post-tools"));
      }
    }
    var edited = node.querySelector(".edited");
    if (post.edited_at && !edited) {
      edited = el("span", "muted small edited", "");
      node.querySelector(".post-head").appendChild(edited);
    }
    if (edited && !edited.dataset.byModerator) {
      // Once a moderator changed the words, the post says so (as the server renders it).
      if (post.edited_by_moderator) edited.dataset.byModerator = "1";
      edited.textContent = "· " + (post.edited_by_moderator ? T.editedByModerator : T.edited);
    }
    // The author's edit box holds the current text, unless they are typing in it.
    var editor = node.querySelector(".post-tools details");
    var area = editor && editor.querySelector("textarea[name=body]");
    if (area && !editor.open && !post.deleted) area.value = post.body;
  }

  function applyPost(post, reactions) {
    // Update a shown post, or add a new one at the end of the last page.
    var node = postNode(post.id);
    if (!node) {
      if (!GROWS || post.id <= last) return null;
      node = newPostNode(post);
      box.appendChild(node);
      last = post.id;
      if (!first) first = post.id;
    }
    setBody(node, post);
    if (reactions) setReactions(node, reactions);
    return node;
  }

  function reactionForm(node, emoji) {
    var form = el("form", "inline-form");
    form.method = "post";
    form.action = box.dataset.reactUrl.replace("/0/", "/" + node.dataset.post + "/");
    if (csrf) form.appendChild(hiddenInput("csrfmiddlewaretoken", csrf.value));
    form.appendChild(hiddenInput("emoji", emoji));
    var button = el("button", "reaction");
    button.setAttribute("aria-pressed", "false");
    button.appendChild(document.createTextNode(emoji + " "));
    button.appendChild(el("span", "", "0"));
    form.appendChild(button);
    return form;
  }

  function reactionForms(node) {
    var found = {};
    var reactionsBox = node.querySelector(".reactions");
    if (!reactionsBox) return found;
    Array.prototype.forEach.call(reactionsBox.children, function (child) {
      var input = child.tagName === "FORM" && child.querySelector("input[name=emoji]");
      if (input) found[input.value] = child;
    });
    return found;
  }

  function setReaction(node, emoji, count, mine) {
    // `mine` is true/false when known (the event is the reader's own, or REST says), else null.
    var reactionsBox = node.querySelector(".reactions");
    if (!reactionsBox) return;
    var form = reactionForms(node)[emoji];
    if (count <= 0) {
      if (form) form.remove();
      return;
    }
    if (!form) {
      form = reactionForm(node, emoji);
      reactionsBox.insertBefore(form, reactionsBox.querySelector("details"));
    }
    var button = form.querySelector("button");
    button.querySelector("span").textContent = String(count);
    if (mine !== null) {
      button.classList.toggle("mine", mine);
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      var remove = form.querySelector("input[name=remove]");
      if (mine && !remove) form.insertBefore(hiddenInput("remove", "1"), button);
      if (!mine && remove) remove.remove();
    }
    button.disabled = !MAY_REACT && !button.classList.contains("mine");
  }

  function setReactions(node, reactions) {
    var shown = reactionForms(node);
    reactions.forEach(function (r) {
      delete shown[r.emoji];
      setReaction(node, r.emoji, r.count, !!r.me);
    });
    Object.keys(shown).forEach(function (emoji) {
      shown[emoji].remove();
    });
  }

  function applyTopic(topic) {
    var title = document.querySelector("[data-testid=topic-title]");
    if (title && title.textContent !== topic.title) {
      document.title = document.title.replace(title.textContent, topic.title);
      title.textContent = topic.title;
    }
    var badges = document.getElementById("topic-badges");
    if (badges) {
      badges.textContent = "";
      if (topic.pinned) badges.appendChild(el("span", "badge accent", "📌 " + T.pinned));
      if (topic.locked) badges.appendChild(el("span", "badge", "🔒 " + T.locked));
      if (topic.deleted) badges.appendChild(el("span", "badge danger", T.topicDeleted));
    }
    var reply = document.getElementById("reply");
    if (reply && !MODERATOR) reply.hidden = Boolean(topic.locked);
  }

  // --- REST: catching up, and the fallback while the socket is down ---------------------

  function fetchPosts(after) {
    return fetch("/api/v1/topics/" + TOPIC + "/posts/?limit=200&after=" + after, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function catchUp(after, round) {
    // Every shown post from `after` on, fresh from the database, and the new ones after them.
    round = round || 0;
    if (fetching) {
      eventsWhileFetching = true; // fetch again once this one is done
      return;
    }
    fetching = true;
    eventsWhileFetching = false;
    var shownUpTo = last;
    fetchPosts(after)
      .then(function (page) {
        var end = after;
        page.results.forEach(function (post) {
          applyPost(post, post.reactions || []);
          end = post.id;
        });
        fetching = false;
        if (eventsWhileFetching && round < 3) {
          catchUp(after, round + 1); // an event may be older than this page: read again
        } else if (page.next && (GROWS || end < shownUpTo)) {
          catchUp(end, round);
        }
      })
      .catch(function (error) {
        fetching = false;
        // The topic is gone for this reader (deleted, or access revoked) while it was
        // being caught up: stop watching, as for an access.revoked frame.
        if (error.message === "404" || error.message === "403") lose();
      });
  }

  function poll() {
    pollTimer = null;
    if (live || closed) return;
    if (document.hidden || polling) return schedulePoll();
    polling = true;
    fetchPosts(last)
      .then(function (page) {
        page.results.forEach(function (post) {
          applyPost(post, post.reactions || []);
        });
        pollDelay = page.next ? 200 : 3000; // catch up quickly after a burst
      })
      .catch(function () {
        pollDelay = Math.min(pollDelay * 2, 30000); // back off while the server is unreachable
      })
      .then(function () {
        polling = false;
        schedulePoll();
      });
  }

  function schedulePoll() {
    if (!live && !closed && GROWS && pollTimer === null) pollTimer = window.setTimeout(poll, pollDelay);
  }

  function stopPolling() {
    if (pollTimer !== null) window.clearTimeout(pollTimer);
    pollTimer = null;
  }

  // --- the socket ----------------------------------------------------------------------------

  function setState(state) {
    if (!stateChip) return;
    stateChip.dataset.state = state;
    stateChip.textContent = T[state];
  }

  function subscribe() {
    live = false;
    asked = true;
    socket.send({ type: "topic.subscribe", topic: TOPIC });
  }

  function connect() {
    if (!window.WebSocket) {
      schedulePoll();
      return;
    }
    socket = window.shabakaSocket({
      connecting: function (again) {
        setState(again ? "reconnecting" : "connecting");
      },
      open: subscribe,
      frame: handle,
      closed: function () {
        live = false;
        setState("reconnecting");
        schedulePoll(); // new posts keep coming while the socket is down
      },
    });
  }

  function handle(frame) {
    if (frame.type.indexOf("forums.") === 0 && frame.type !== "forums.mention") {
      var topicId = frame.topic && frame.topic.id !== undefined ? frame.topic.id : frame.topic;
      if (topicId !== TOPIC) return;
      if (fetching) eventsWhileFetching = true;
    }
    switch (frame.type) {
      case "topic.subscribed":
        if (frame.topic !== TOPIC) return;
        live = true;
        socket.settled();
        stopPolling();
        setState("live");
        if (asked) {
          asked = false;
          catchUp(first ? first - 1 : last);
        } else {
          // The server's own resync tells every watcher at once: spread the catch-ups.
          window.setTimeout(function () {
            catchUp(first ? first - 1 : last);
          }, Math.random() * 5000);
        }
        return;
      case "forums.post":
      case "forums.post_edited":
      case "forums.post_deleted":
      case "forums.post_restored":
        applyPost(frame.post, null);
        return;
      case "forums.reaction_added":
      case "forums.reaction_removed":
        var node = postNode(frame.post);
        var own = frame.user && frame.user.id === ME;
        if (node) setReaction(node, frame.emoji, frame.count, own ? frame.type === "forums.reaction_added" : null);
        return;
      case "forums.topic_updated":
        applyTopic(frame.topic);
        return;
      case "access.revoked":
        // Asking again tells whether the topic is still readable (one who left a public
        // network still reads it); a ban or the topic's deletion answers with an error.
        if (frame.topic === TOPIC || frame.network === NETWORK) {
          setState("reconnecting");
          subscribe();
        }
        return;
      case "error":
        if (frame.ref !== "topic.subscribe" || live) return;
        if (frame.code === "not_found" || frame.code === "banned") lose();
        else schedulePoll(); // the server could not answer now: new posts come by REST
        return;
    }
  }

  function lose() {
    closed = true;
    live = false;
    stopPolling();
    setState("closed");
    if (notice) {
      notice.textContent = T.revoked;
      notice.hidden = false;
    }
    socket.stop();
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !live && pollTimer !== null) {
      stopPolling();
      poll();
    }
  });
  connect();
})();
