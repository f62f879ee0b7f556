// The chat composer of a room page, and the messages sent from it not yet stored.
//
// Nothing typed is lost: the composer counts characters as the server does (code points)
// and refuses to send past its limit, saying so in the page's language; a send too big
// for one socket frame goes over REST instead (same client_id, so a retry stores it once);
// the draft and the sends not yet stored are kept per room in localStorage, so a reload
// brings them back (and sends those again, harmlessly); a refused send puts its text back
// in the box. chat.js owns the socket: it passes `send` and tells this file of acks,
// refusals and stored messages.
window.shabakaChatComposer = function (options) {
  "use strict";
  var form = options.form;
  var input = form ? form.querySelector("textarea") : null;
  var counter = document.getElementById("composer-count");
  var T = options.strings;
  var ROOM = options.room;
  var MAX_CHARS = form ? parseInt(form.dataset.maxChars, 10) : 0;
  var MAX_FRAME_BYTES = form ? parseInt(form.dataset.maxFrameBytes, 10) : 0;
  var DRAFT_KEY = "shabaka.draft.room." + ROOM;
  var UNSENT_KEY = "shabaka.unsent.room." + ROOM;
  var numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || undefined) : null;
  var pending = {}; // client_id -> {body, node, posting}
  var lastTypingSent = 0;

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function chars(text) {
    return Array.from(text).length; // code points, as the server counts
  }

  function fill(template, count) {
    var say = function (n) {
      return numbers ? numbers.format(n) : String(n);
    };
    return template.replace("%(count)s", say(count)).replace("%(limit)s", say(MAX_CHARS));
  }

  function store(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch (e) {
      // Storage full or refused (private mode): the page still works, without keeping.
    }
  }

  function stored(key) {
    try {
      return localStorage.getItem(key) || "";
    } catch (e) {
      return "";
    }
  }

  function rememberUnsent() {
    var unsent = Object.keys(pending).map(function (id) {
      return { client_id: id, body: pending[id].body };
    });
    store(UNSENT_KEY, unsent.length ? JSON.stringify(unsent) : "");
  }

  function showPending(clientId, body) {
    var node = options.view.messageNode({
      id: "pending-" + clientId,
      author: { id: options.me, display_name: options.meName },
      body_html: "",
      created_at: new Date().toISOString(),
    });
    node.classList.add("pending");
    node.querySelector(".prose").textContent = body;
    var tools = node.querySelector(".msg-tools");
    if (tools) tools.remove();
    options.place(node);
    pending[clientId] = { body: body, node: node };
  }

  function deliver(clientId) {
    var p = pending[clientId];
    if (!p) return;
    var frame = { type: "message.send", room: ROOM, body: p.body, client_id: clientId };
    if (new TextEncoder().encode(JSON.stringify(frame)).length <= MAX_FRAME_BYTES) {
      options.send(frame); // when not subscribed, the next `subscribed` flushes it
      return;
    }
    // Too big for one socket frame: the same send over REST (same client_id, so a retry
    // stores it once). Its message.new still comes over the socket, in seq order.
    if (p.posting) return;
    p.posting = true;
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    fetch("/api/v1/rooms/" + ROOM + "/messages/", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrf ? csrf.value : "",
      },
      body: JSON.stringify({ body: p.body, client_id: clientId }),
    })
      .then(function (response) {
        p.posting = false;
        if (response.status === 429) {
          retryLater(clientId, parseInt(response.headers.get("Retry-After") || "1", 10) || 1);
          return null;
        }
        return response.json().then(function (data) {
          if (response.ok) acked(clientId, data.id);
          else refused(clientId, data.error && data.error.code, data.error && data.error.message);
        });
      })
      .catch(function () {
        p.posting = false; // offline: it stays pending and goes with the next subscribe
      });
  }

  function acked(clientId, messageId) {
    var p = pending[clientId];
    if (!p) return;
    if (document.getElementById("m-" + messageId)) {
      // Stored before (a send retried after a reload): the message is already shown.
      p.node.remove();
      delete pending[clientId];
      rememberUnsent();
    } else {
      p.node.classList.remove("pending"); // message.new replaces it
    }
  }

  function refused(clientId, code, message) {
    var p = pending[clientId];
    if (!p) return false;
    p.node.classList.add("failed");
    var why = code === "too_large" || code === "frame_too_large" ? fill(T.tooLong, chars(p.body)) : T.sendFailed;
    var line = options.view.el("div", "errorlist", why);
    if (message) line.title = message;
    p.node.querySelector(".prose").appendChild(line);
    delete pending[clientId];
    rememberUnsent();
    if (form && !input.value.trim()) {
      input.value = p.body; // what was typed is never lost
      typed();
    }
    return true;
  }

  function retryLater(clientId, seconds) {
    // A send refused as rate_limited stays pending and goes again (same client_id).
    setTimeout(function () {
      deliver(clientId);
    }, seconds * 1000);
  }

  function typed() {
    // The draft is kept as it is typed, and the count shown near and past the limit.
    store(DRAFT_KEY, input.value.trim() ? input.value : "");
    var count = chars(input.value.trim());
    var over = count > MAX_CHARS;
    counter.hidden = count <= MAX_CHARS * 0.9;
    counter.textContent = counter.hidden ? "" : fill(over ? T.tooLong : T.nearLimit, count);
    counter.classList.toggle("danger", over);
    input.setAttribute("aria-invalid", over ? "true" : "false");
    return !over;
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      if (!typed()) {
        input.focus(); // past the limit: nothing is sent, nothing is cleared
        return;
      }
      var clientId = newClientId();
      showPending(clientId, body);
      rememberUnsent(); // kept until stored, across a reload
      deliver(clientId);
      input.value = "";
      typed();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", function () {
      typed();
      var now = Date.now();
      if (now - lastTypingSent > 3000 && input.value.trim()) {
        lastTypingSent = now;
        options.send({ type: "typing", room: ROOM });
      }
    });
  }

  if (form) {
    // What was typed or sent but not stored before the page was left comes back.
    var unsent = [];
    try {
      unsent = JSON.parse(stored(UNSENT_KEY) || "[]");
    } catch (e) {
      unsent = [];
    }
    unsent.forEach(function (u) {
      if (u && typeof u.client_id === "string" && typeof u.body === "string") showPending(u.client_id, u.body);
    });
    if (!input.value) input.value = stored(DRAFT_KEY);
    typed();
  }


  return {
    // Every unsent message again (after `subscribed`).
    flush: function () {
      Object.keys(pending).forEach(deliver);
    },
    has: function (clientId) {
      return !!(clientId && pending[clientId]);
    },
    // A message of the room is shown: the pending copy of it, if any, goes.
    stored: function (message) {
      var p = message.client_id && pending[message.client_id];
      if (!p) return;
      p.node.remove();
      delete pending[message.client_id];
      rememberUnsent();
    },
    acked: acked,
    refused: refused,
    retryLater: retryLater,
  };
};
