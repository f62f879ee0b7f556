// Small touches shared by every page (no build step, nothing required for the page to work).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  // <time datetime data-local-time>: the moment in the reader's language and time zone
  // (the server's rendering stays when Intl is missing). Markup added later (the bell's
  // menu) calls window.shabakaLocalTimes(itsRoot).
  window.shabakaLocalTimes = function (root) {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var when = new Intl.DateTimeFormat([lang], { dateStyle: "medium", timeStyle: "short" });
    root.querySelectorAll("time[data-local-time]").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (!isNaN(moment)) node.textContent = when.format(moment);
    });
  };
  window.shabakaLocalTimes(document);
})();

// Behaviour the templates ask for with data- attributes (the Content-Security-Policy runs
// no inline `onsubmit=`/`onclick=`); delegated, so markup inserted later works the same.
(function () {
  "use strict";
  // <form data-confirm="question">: asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // <select data-autosubmit>: choosing an option submits its form (the language menu).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var node = event.target;
    if (!node.closest) return;
    // <input data-select-on-click>: a click selects the whole value (a link to copy).
    if (node.matches("input[data-select-on-click]")) node.select();
    // <button data-copy-previous>: copies the value of the field just before it.
    var copy = node.closest("button[data-copy-previous]");
    if (copy && copy.previousElementSibling && navigator.clipboard) {
      navigator.clipboard.writeText(copy.previousElementSibling.value);
      copy.textContent = "✓";
    }
  });
})();

// The one websocket at /ws/ of a live page, shared by every script of the page that wants
// it (chat.js or topic.js, and notifications.js for the top bar on every signed-in page):
// each calls shabakaSocket(handlers) and gets its own handle on the same connection; JSON
// frames both ways, a ping every 25 s, and after a drop a reconnect with jittered
// exponential backoff. `handlers` (each optional): connecting(isRetry), open(),
// frame(frame), closed(). stop() lets one script go; the socket closes with the last.
window.shabakaSocket = (function () {
  "use strict";
  var clients = [];
  var socket = null;
  var retry = 0;
  var pingTimer = null;
  var stopped = true;
  // A form on its way to the server (not taken over by a script): the page it brings
  // will show the new state, so a sign-out it causes (deleting the account, changing
  // the password) must not reload this page over it.
  var leaving = false;
  window.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) leaving = true;
  });

  function each(name, arg) {
    clients.slice().forEach(function (client) {
      if (client[name]) client[name](arg);
    });
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function open() {
    if (stopped) return;
    each("connecting", retry > 0);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = (socket = new WebSocket(scheme + location.host + "/ws/"));
    ws.onopen = function () {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        send({ type: "ping" });
      }, 25000);
      each("open");
    };
    ws.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      each("frame", frame);
    };
    ws.onclose = function (event) {
      if (ws !== socket) return; // an older connection, already replaced
      clearInterval(pingTimer);
      if (stopped) return;
      each("closed");
      if (event.code === 4403) {
        // Signed out (here or elsewhere, or the password changed): the same credential
        // cannot reconnect; reloading shows the page as it now is (or the sign-in).
        stopped = true;
        if (!leaving) location.reload();
        return;
      }
      var wait = Math.min(30000, 500 * Math.pow(2, retry)) * (0.75 + Math.random() / 2);
      retry += 1;
      setTimeout(open, wait);
    };
  }

  return function (handlers) {
    clients.push(handlers);
    if (stopped) {
      stopped = false;
      retry = 0;
      open();
    } else {
      // Joining a connection already made: told as if it were opened for us.
      if (handlers.connecting) handlers.connecting(retry > 0);
      if (socket && socket.readyState === WebSocket.OPEN) {
        setTimeout(function () {
          if (clients.indexOf(handlers) >= 0 && handlers.open) handlers.open();
        }, 0);
      }
    }
    return {
      send: send,
      // The page is subscribed again: the next drop starts the backoff over.
      settled: function () {
        retry = 0;
      },
      stop: function () {
        var at = clients.indexOf(handlers);
        if (at >= 0) clients.splice(at, 1);
        if (clients.length) return;
        stopped = true;
        clearInterval(pingTimer);
        try {
          socket.close();
        } catch (e) {}
      },
    };
  };
})();

// A time zone not chosen yet is offered as the browser's (the account page's select).
(function () {
  "use strict";
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  document.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
    if (select.value) return;
    var option = select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]');
    if (option) select.value = zone;
  });
})();
