// A chat room over the one websocket at /ws/ (protocol: CONTRACT.md, "Websocket /ws/").
//
// - history: the latest page from GET /api/v1/rooms/{id}/messages/, older pages on scroll;
// - live: subscribe {room, after_seq}; every room event carries the room's gapless seq,
//   so a jump means something was missed and we resubscribe from the last seq we hold;
// - a dropped socket reconnects with backoff ("reconnecting…" is shown) and resubscribes
//   from the last seq, which replays edits, deletions and reactions too;
// - sends carry a client_id, so re-sending after a reconnect never duplicates a message;
// - nothing typed is lost (the composer, its limit, drafts and unsent messages kept across
//   reloads, long sends over REST: chat_composer.js);
// - limits: a send refused as rate_limited goes again after its retry_after (seconds); a
//   replay refused as rate_limited leaves us subscribed with has_more, and the missed
//   events are paged from the log once retry_after (or the page's Retry-After) has passed;
// - typing notices, presence dots, edit/delete of one's own messages, reactions.
// This file is the room's connection and state (what is held, sent, paged and retried);
// how messages, reactions, presence and typing are drawn is chat_view.js, and the composer
// chat_composer.js, both loaded before it.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var T = JSON.parse(document.getElementById("chat-strings").textContent);
  var ROOM = parseInt(root.dataset.room, 10);
  var NETWORK = root.dataset.network ? parseInt(root.dataset.network, 10) : null;
  var ME = parseInt(root.dataset.me, 10);
  var MODERATOR = root.dataset.moderator === "1";

  var timeline = document.getElementById("timeline");
  var list = document.getElementById("messages");
  var loader = document.getElementById("loader");
  var conn = document.getElementById("conn");
  var form = document.getElementById("composer");
  var input = form ? form.querySelector("textarea") : null;
  var notice = document.getElementById("room-notice");

  var socket = null;
  var lastSeq = parseInt(root.dataset.seq || "0", 10); // the room's seq when the page was made
  var subscribed = false;
  var oldestId = null; // for paging back
  var historyDone = false;
  var loadingOlder = false;
  var lastReadSent = 0;
  var replayAfter = 0; // Date.now() before which no replay is asked (rate_limited)
  var catchingUp = false; // paging missed events from the log
  var catchUpTo = 0; // the highest seq seen live while paging
  // Drawing messages, reactions, presence and typing is chat_view.js's.
  var view = window.shabakaChatView({
    strings: T,
    me: ME,
    moderator: MODERATOR,
    canWrite: !!form,
    send: send,
    online: JSON.parse(document.getElementById("chat-online").textContent || "{}"),
  });

  // --- the timeline -----------------------------------------------------------------------

  function nearBottom() {
    return timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 120;
  }

  function scrollToBottom() {
    timeline.scrollTop = timeline.scrollHeight;
  }

  function upsert(message, where) {
    var existing = document.getElementById("m-" + message.id);
    if (existing) {
      view.fillBody(existing, message);
      if (message.deleted) {
        // A deleted message's reactions are gone too (the log no longer names them).
        existing._reactions = {};
        view.drawReactions(existing);
      }
      return existing;
    }
    composer.stored(message);
    var node = view.messageNode(message);
    if (where === "top") list.insertBefore(node, list.firstChild);
    else list.appendChild(node);
    if (empty) empty.hidden = true;
    return node;
  }
  var empty = document.getElementById("empty-room");

  // --- history ----------------------------------------------------------------------------

  function api(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          var error = new Error(String(response.status));
          error.status = response.status;
          error.retryAfter = parseInt(response.headers.get("Retry-After") || "0", 10) || 0;
          throw error;
        }
        return response.json();
      }
    );
  }

  function loadLatest() {
    return api("/api/v1/rooms/" + ROOM + "/messages/?limit=50").then(function (page) {
      page.results.forEach(function (m) {
        upsert(m);
      });
      oldestId = page.results.length ? page.results[0].id : null;
      historyDone = !page.next;
      loader.hidden = true;
      if (!page.results.length && empty) empty.hidden = false;
      scrollToBottom();
    });
  }

  function loadOlder() {
    if (loadingOlder || historyDone || oldestId === null) return;
    loadingOlder = true;
    loader.hidden = false;
    var before = timeline.scrollHeight;
    api("/api/v1/rooms/" + ROOM + "/messages/?limit=50&before=" + oldestId)
      .then(function (page) {
        for (var i = page.results.length - 1; i >= 0; i--) upsert(page.results[i], "top");
        if (page.results.length) oldestId = page.results[0].id;
        historyDone = !page.next;
        timeline.scrollTop += timeline.scrollHeight - before; // keep the reader's place
      })
      .catch(function () {})
      .then(function () {
        loadingOlder = false;
        loader.hidden = true;
      });
  }

  timeline.addEventListener("scroll", function () {
    if (timeline.scrollTop < 80) loadOlder();
    if (nearBottom()) markRead();
  });

  // --- the socket ---------------------------------------------------------------------------

  function setState(state) {
    conn.dataset.state = state;
    conn.textContent = T[state];
  }

  function send(frame) {
    return subscribed && socket.send(frame);
  }

  function connect() {
    socket = window.shabakaSocket({
      connecting: function (again) {
        setState(again ? "reconnecting" : "connecting");
      },
      open: resubscribe,
      frame: handle,
      closed: function () {
        subscribed = false;
        setState("reconnecting");
      },
    });
  }

  function resubscribe() {
    subscribed = false;
    socket.send({ type: "subscribe", room: ROOM, after_seq: lastSeq });
  }

  function roomEvent(frame) {
    // Frames of this room carry seq: apply in order, resubscribe on a gap, skip old ones.
    if (frame.seq <= lastSeq) return;
    if (frame.seq > lastSeq + 1) {
      if (catchingUp) catchUpTo = Math.max(catchUpTo, frame.seq); // the log brings it
      else resubscribe();
      return;
    }
    lastSeq = frame.seq;
    var stick = nearBottom();
    if (frame.type === "message.new" || frame.type === "message.edited" || frame.type === "message.deleted") {
      upsert(frame.message);
      if (frame.type === "message.new") {
        view.stopTyping(frame.message.author.id);
      }
    } else if (frame.type === "reaction.added" || frame.type === "reaction.removed") {
      var node = document.getElementById("m-" + frame.message);
      // A reaction to a message deleted since: the log keeps its seq, not the emoji.
      if (node && frame.emoji) {
        var r = node._reactions[frame.emoji] || { count: 0, me: false };
        var added = frame.type === "reaction.added";
        r.count += added ? 1 : -1;
        if (frame.user && frame.user.id === ME) r.me = added;
        node._reactions[frame.emoji] = r;
        view.drawReactions(node);
      }
    }
    if (stick) scrollToBottom();
    markRead();
  }

  function replayPages(seq) {
    // After a long absence the socket replays the first part; the rest comes from the log,
    // at the pace the replay budget allows.
    catchingUp = true;
    var wait = replayAfter - Date.now();
    if (wait > 0) {
      setTimeout(function () {
        replayPages(seq);
      }, wait);
      return;
    }
    api("/api/v1/rooms/" + ROOM + "/events/?limit=200&after_seq=" + lastSeq)
      .then(function (page) {
        catchingUp = false;
        (page.results || page.events || []).forEach(roomEvent);
        if (lastSeq < Math.max(seq, catchUpTo)) replayPages(seq);
      })
      .catch(function (error) {
        if (error.status !== 429) {
          catchingUp = false;
          return;
        }
        replayAfter = Date.now() + Math.max(1, error.retryAfter) * 1000;
        replayPages(seq);
      });
  }

  function handle(frame) {
    switch (frame.type) {
      case "subscribed":
        if (frame.room !== ROOM) return;
        subscribed = true;
        socket.settled();
        setState("connected");
        view.setPresence(ME, true);
        frame.events.forEach(roomEvent);
        if (frame.has_more) replayPages(frame.seq);
        composer.flush();
        markRead(); // opened with nothing new to replay: what is on screen is read
        return;
      case "message.new":
      case "message.edited":
      case "message.deleted":
      case "reaction.added":
      case "reaction.removed":
        if (frame.room === ROOM) roomEvent(frame);
        return;
      case "message.ack":
        composer.acked(frame.client_id, frame.id);
        return;
      case "typing":
        if (frame.room !== ROOM || !frame.user || frame.user.id === ME) return;
        view.startTyping(frame.user);
        return;
      case "presence":
        view.setPresence(frame.user && frame.user.id, frame.status === "online");
        return;
      case "unread":
        var badge = document.querySelector('[data-room-badge="' + frame.room + '"]');
        if (badge && frame.room !== ROOM) {
          badge.textContent = frame.count;
          badge.hidden = !frame.count;
          badge.closest(".room-link").classList.toggle("unread", !!frame.count);
        }
        return;
      case "access.revoked":
        if ((frame.room && frame.room === ROOM) || (frame.network && frame.network === NETWORK)) {
          lose(T.revoked);
        }
        return;
      case "membership":
        if (frame.network === NETWORK && form) {
          var muted = frame.muted_until && new Date(frame.muted_until) > new Date();
          input.disabled = !!muted;
          showNotice(muted ? T.muted : "", false);
        }
        return;
      case "error":
        if (frame.code === "rate_limited" && typeof frame.retry_after === "number") {
          if (frame.ref === "subscribe") {
            replayAfter = Date.now() + frame.retry_after * 1000; // `subscribed` has has_more
            return;
          }
          if (composer.has(frame.ref)) {
            composer.retryLater(frame.ref, frame.retry_after);
            return;
          }
        }
        if (composer.refused(frame.ref, frame.code, frame.message)) return; // said on the message
        if (frame.code === "not_found" && !subscribed) lose(T.revoked);
        else showNotice(frame.message, true);
        return;
    }
  }

  function lose(text) {
    subscribed = false;
    setState("closed");
    conn.textContent = T.closed;
    showNotice(text, true);
    if (form) {
      input.disabled = true;
      form.querySelector("button").disabled = true;
    }
    socket.stop();
  }

  function showNotice(text, danger) {
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
    notice.classList.toggle("danger", !!danger);
  }

  // --- sending -----------------------------------------------------------------------------------

  function markRead() {
    if (document.hidden || !subscribed) return;
    var last = list.lastElementChild;
    var id = last && last.dataset.id ? parseInt(last.dataset.id, 10) : 0;
    if (id && id > lastReadSent && nearBottom()) {
      lastReadSent = id;
      send({ type: "read", room: ROOM, message_id: id });
    }
  }
  document.addEventListener("visibilitychange", markRead);

  // On a phone the room list is a drawer, one tap away (the stylesheet hides it there).
  var roomsToggle = document.getElementById("rooms-toggle");
  function showRooms(open) {
    root.classList.toggle("rooms-open", open);
    roomsToggle.setAttribute("aria-expanded", open ? "true" : "false");
    var target = open ? root.querySelector("#chat-side a[aria-current=page]") : roomsToggle;
    if (target) target.focus();
  }
  if (roomsToggle) {
    roomsToggle.addEventListener("click", function () {
      showRooms(!root.classList.contains("rooms-open"));
    });
    root.querySelector(".rooms-close").addEventListener("click", function () {
      showRooms(false);
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("rooms-open")) showRooms(false);
    });
  }

  var composer = window.shabakaChatComposer({
    form: form,
    room: ROOM,
    strings: T,
    me: ME,
    meName: root.dataset.meName,
    view: view,
    send: send,
    place: function (node) {
      list.appendChild(node);
      if (empty) empty.hidden = true;
      scrollToBottom();
    },
  });

  loadLatest()
    .catch(function () {
      loader.textContent = T.loadFailed;
    })
    .then(connect);
})();
