// The top bar of a signed-in page, live: the bell's unread count, the unread messages on
// the "Messages" link, a toast for a new notification, and the bell's menu of the latest.
//
// Over the page's one websocket (common.js shabakaSocket, shared with chat.js/topic.js):
// - `notification` {notification, unread}: the bell shows `unread`, a toast says the text;
// - `notifications.read` {ids | all, unread}: marked read here or on another tab/device;
// - `unread` {room, count}: a room's unread messages (rooms not on screen, and the one read).
// Without JavaScript the bell is a link to /notifications/ and the counts are as rendered.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.shabakaSocket) return;
  var T = JSON.parse(document.getElementById("topbar-strings").textContent);
  var rooms = JSON.parse(document.getElementById("topbar-rooms").textContent || "{}");
  var bellCount = bell.querySelector("[data-bell-count]");
  var messagesLink = document.querySelector("[data-messages-link]");
  var messagesCount = document.querySelector("[data-messages-count]");
  var toasts = document.getElementById("toasts");
  var menu = document.getElementById("bell-menu");
  var opened = false;
  // On a room's page that room is being read: not counted (its sidebar badge is hidden too).
  var chat = document.getElementById("chat");
  var openRoom = chat && chat.dataset.room ? chat.dataset.room : null;
  if (openRoom) delete rooms[openRoom];

  function fill(pattern, n) {
    return pattern.replace("%(n)s", String(n));
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- counts -----------------------------------------------------------------------------

  function setBell(n) {
    n = Math.max(0, n | 0);
    bellCount.textContent = n;
    bellCount.hidden = !n;
    bell.setAttribute("aria-label", fill(T.bell, n));
    bell.dataset.unread = n;
  }

  function setMessages() {
    if (!messagesCount) return;
    var total = 0;
    Object.keys(rooms).forEach(function (room) {
      total += rooms[room];
    });
    messagesCount.textContent = total;
    messagesCount.hidden = !total;
    if (total) messagesLink.setAttribute("aria-label", fill(T.messages, total));
    else messagesLink.removeAttribute("aria-label");
  }

  function bump() {
    bell.classList.remove("bump");
    void bell.offsetWidth; // restart the animation
    bell.classList.add("bump");
  }

  // --- toasts -------------------------------------------------------------------------------

  function toast(notification) {
    var node = el("a", "toast");
    node.href = "/notifications/";
    node.appendChild(el("strong", "", T["new"]));
    var text = el("span", "", notification.text);
    text.dir = "auto";
    node.appendChild(text);
    toasts.appendChild(node);
    setTimeout(function () {
      node.remove();
    }, 8000);
  }

  // --- the notifications list, when it is the page --------------------------------------------

  function markShownRead(ids) {
    document.querySelectorAll("[data-notification]").forEach(function (item) {
      if (ids === null || ids.indexOf(parseInt(item.dataset.notification, 10)) >= 0) {
        item.classList.remove("unread");
        item.querySelectorAll("[data-unread-mark]").forEach(function (mark) {
          mark.remove();
        });
      }
    });
  }

  // --- the menu ----------------------------------------------------------------------------

  function loadMenu() {
    // Rendered by the server (notifications/web.py `menu`), in the page's language, with
    // the same forms as the list: opening one marks it read and goes to it.
    var here = location.pathname + location.search;
    fetch("/notifications/menu/?next=" + encodeURIComponent(here), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        // Signed out meanwhile: the sign-in page is no menu.
        if (!response.ok || response.redirected) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        menu.innerHTML = html; // our own template's output, escaped there
        if (window.shabakaLocalTimes) window.shabakaLocalTimes(menu);
      })
      .catch(function () {
        menu.textContent = "";
        menu.appendChild(el("p", "errorlist", T.failed));
      });
  }

  function setMenu(open) {
    opened = open;
    menu.hidden = !open;
    bell.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) loadMenu();
  }

  bell.setAttribute("aria-controls", "bell-menu");
  bell.setAttribute("aria-expanded", "false");
  bell.addEventListener("click", function (event) {
    // A modified click (new tab) or the list page itself: the link as it is.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (location.pathname === "/notifications/") return;
    event.preventDefault();
    setMenu(!opened);
  });
  document.addEventListener("click", function (event) {
    if (opened && !event.target.closest("#bell")) setMenu(false);
  });
  document.addEventListener("keydown", function (event) {
    if (opened && event.key === "Escape") {
      setMenu(false);
      bell.focus();
    }
  });

  // --- live ---------------------------------------------------------------------------------

  function refreshCount() {
    // After a reconnect: frames sent while the socket was down are lost.
    fetch("/api/v1/notifications/unread-count/", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && typeof body.count === "number") setBell(body.count);
      })
      .catch(function () {});
  }

  var connected = false;
  window.shabakaSocket({
    open: function () {
      if (connected) refreshCount();
      connected = true;
      document.body.dataset.live = "1";
    },
    closed: function () {
      delete document.body.dataset.live;
    },
    frame: function (frame) {
      switch (frame.type) {
        case "notification":
          setBell(frame.unread);
          bump();
          if (frame.notification) toast(frame.notification);
          if (opened) loadMenu();
          return;
        case "notifications.read":
          setBell(frame.unread);
          markShownRead(frame.all ? null : frame.ids || []);
          if (opened) loadMenu();
          return;
        case "unread":
          if (typeof frame.room !== "number" || typeof frame.count !== "number") return;
          if (frame.count && String(frame.room) !== openRoom) rooms[frame.room] = frame.count;
          else delete rooms[frame.room];
          setMessages();
          return;
      }
    },
  });
  setBell(parseInt(bellCount.textContent, 10) || 0);
  setMessages();
})();
