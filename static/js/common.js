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

// The one websocket at /ws/ of a live page (chat.js, topic.js): JSON frames both ways, a
// ping every 25 s, and after a drop a reconnect with jittered exponential backoff until
// stop(). `handlers`: connecting(isRetry), open(), frame(frame), closed().
window.shabakaSocket = function (handlers) {
  "use strict";
  var socket = null;
  var retry = 0;
  var pingTimer = null;
  var stopped = false;

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function open() {
    if (stopped) return;
    handlers.connecting(retry > 0);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.onopen = function () {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        send({ type: "ping" });
      }, 25000);
      handlers.open();
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      handlers.frame(frame);
    };
    socket.onclose = function (event) {
      clearInterval(pingTimer);
      if (stopped) return;
      handlers.closed();
      if (event.code === 4403) {
        // Signed out (here or elsewhere, or the password changed): the same credential
        // cannot reconnect; reloading shows the page as it now is (or the sign-in).
        stopped = true;
        location.reload();
        return;
      }
      var wait = Math.min(30000, 500 * Math.pow(2, retry)) * (0.75 + Math.random() / 2);
      retry += 1;
      setTimeout(open, wait);
    };
  }

  open();
  return {
    send: send,
    // The page is subscribed again: the next drop starts the backoff over.
    settled: function () {
      retry = 0;
    },
    stop: function () {
      stopped = true;
      clearInterval(pingTimer);
      try {
        socket.close();
      } catch (e) {}
    },
  };
};
