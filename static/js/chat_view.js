// How a chat room page draws itself (chat.js drives it): messages with their reactions,
// edit and delete tools, the presence dots and who is typing. Message bodies arrive
// rendered and sanitized by the server (body_html); every other piece of user text goes
// in with textContent. Nothing here talks to the server: what the reader does (react,
// edit, delete) is handed to `options.send` as a frame.
// options: {strings, me, moderator, canWrite, send(frame), online: {user id: true}}.
window.shabakaChatView = function (options) {
  "use strict";
  var T = options.strings;
  var ME = options.me;
  var MODERATOR = options.moderator;
  var EMOJI = ["👍", "❤️", "😂", "🎉", "🙏", "👏"];
  var send = options.send;
  var online = options.online;
  var typingBox = document.getElementById("typing");
  var typingUsers = {}; // user id -> {name, until}

  // --- messages -------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function nameOf(user) {
    return (user && (user.display_name || user.username)) || "?";
  }

  function avatar(user) {
    var a = el("span", "avatar av-" + String((user && user.id) || 0).slice(-1));
    a.setAttribute("aria-hidden", "true");
    a.dataset.user = user ? user.id : "";
    if (user && user.avatar) {
      var img = el("img");
      img.src = user.avatar;
      img.alt = "";
      img.loading = "lazy";
      a.appendChild(img);
    } else {
      a.textContent = nameOf(user).trim().charAt(0).toUpperCase();
    }
    var dot = el("span", "presence");
    if (online[user && user.id]) dot.classList.add("online");
    a.appendChild(dot);
    return a;
  }

  function formatTime(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  }

  function messageNode(message) {
    var node = el("div", "msg");
    node.id = "m-" + message.id;
    node.dataset.id = message.id;
    node.dataset.author = message.author ? message.author.id : "";
    node.appendChild(avatar(message.author));
    var main = el("div");
    var meta = el("div", "meta");
    var who = el("span", "who", nameOf(message.author));
    who.dir = "auto";
    meta.appendChild(who);
    var time = el("time", "", formatTime(message.created_at));
    time.dateTime = message.created_at;
    time.title = new Date(message.created_at).toLocaleString(document.documentElement.lang);
    meta.appendChild(time);
    var edited = el("span", "muted small edited", T.edited);
    edited.hidden = !message.edited_at;
    meta.appendChild(edited);
    main.appendChild(meta);
    var body = el("div", "prose");
    body.dir = "auto";
    main.appendChild(body);
    var reactions = el("div", "reactions");
    main.appendChild(reactions);
    node.appendChild(main);
    fillBody(node, message);
    node._reactions = {};
    (message.reactions || []).forEach(function (r) {
      node._reactions[r.emoji] = { count: r.count, me: r.me };
    });
    drawReactions(node);
    addTools(node, message);
    return node;
  }

  function fillBody(node, message) {
    var body = node.querySelector(".prose");
    node.classList.toggle("deleted", !!message.deleted);
    if (message.deleted) {
      body.textContent = T.deleted;
      var tools = node.querySelector(".msg-tools");
      if (tools) tools.remove();
    } else {
      body.innerHTML = message.body_html; // rendered and sanitized by the server (nh3)
      node._body = message.body;
    }
    node.querySelector(".edited").hidden = !message.edited_at || message.deleted;
  }

  function drawReactions(node) {
    var box = node.querySelector(".reactions");
    box.textContent = "";
    Object.keys(node._reactions).forEach(function (emoji) {
      var r = node._reactions[emoji];
      if (r.count <= 0) return;
      var b = el("button", "reaction" + (r.me ? " mine" : ""));
      b.type = "button";
      b.setAttribute("aria-pressed", r.me ? "true" : "false");
      b.appendChild(document.createTextNode(emoji + " "));
      b.appendChild(el("span", "", String(r.count)));
      b.addEventListener("click", function () {
        send({ type: r.me ? "reaction.remove" : "reaction.add", message: +node.dataset.id, emoji: emoji });
      });
      box.appendChild(b);
    });
  }

  function addTools(node, message) {
    if (message.deleted || !options.canWrite) return;
    var mine = message.author && message.author.id === ME;
    var tools = el("div", "msg-tools");
    EMOJI.slice(0, 3).forEach(function (emoji) {
      var b = el("button", "", emoji);
      b.type = "button";
      b.title = T.react;
      b.addEventListener("click", function () {
        var r = node._reactions[emoji];
        send({ type: r && r.me ? "reaction.remove" : "reaction.add", message: +node.dataset.id, emoji: emoji });
      });
      tools.appendChild(b);
    });
    if (mine) {
      var edit = el("button", "", "✎");
      edit.type = "button";
      edit.title = T.edit;
      edit.setAttribute("aria-label", T.edit);
      edit.addEventListener("click", function () {
        startEdit(node);
      });
      tools.appendChild(edit);
    }
    if (mine || MODERATOR) {
      var del = el("button", "", "🗑");
      del.type = "button";
      del.title = T.delete;
      del.setAttribute("aria-label", T.delete);
      del.addEventListener("click", function () {
        if (window.confirm(T.confirmDelete)) send({ type: "message.delete", id: +node.dataset.id });
      });
      tools.appendChild(del);
    }
    node.appendChild(tools);
  }

  function startEdit(node) {
    var body = node.querySelector(".prose");
    if (node.querySelector("form")) return;
    var f = el("form", "row");
    var area = el("textarea");
    area.value = node._body || "";
    area.dir = "auto";
    area.rows = 2;
    area.setAttribute("aria-label", T.edit);
    var save = el("button", "btn small", T.save);
    var cancel = el("button", "btn small ghost", T.cancel);
    cancel.type = "button";
    f.appendChild(area);
    f.appendChild(save);
    f.appendChild(cancel);
    body.hidden = true;
    body.after(f);
    area.focus();
    cancel.addEventListener("click", function () {
      f.remove();
      body.hidden = false;
    });
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = area.value.trim();
      if (text && text !== node._body) send({ type: "message.edit", id: +node.dataset.id, body: text });
      f.remove();
      body.hidden = false;
    });
  }

  // --- presence and typing --------------------------------------------------------------

  function setPresence(userId, isOnline) {
    if (!userId) return;
    online[userId] = isOnline;
    document.querySelectorAll('.avatar[data-user="' + userId + '"] .presence').forEach(function (dot) {
      dot.classList.toggle("online", isOnline);
    });
  }

  function drawTyping() {
    var now = Date.now();
    var names = [];
    Object.keys(typingUsers).forEach(function (id) {
      if (typingUsers[id].until > now) names.push(typingUsers[id].name);
      else delete typingUsers[id];
    });
    typingBox.textContent = names.length ? T.typing.replace("%s", names.join(", ")) : "";
  }
  setInterval(drawTyping, 1000);

  function startTyping(user) {
    typingUsers[user.id] = { name: nameOf(user), until: Date.now() + 5000 };
    drawTyping();
  }

  function stopTyping(userId) {
    delete typingUsers[userId];
    drawTyping();
  }

  return {
    el: el,
    nameOf: nameOf,
    messageNode: messageNode,
    fillBody: fillBody,
    drawReactions: drawReactions,
    setPresence: setPresence,
    startTyping: startTyping,
    stopTyping: stopTyping,
  };
};
