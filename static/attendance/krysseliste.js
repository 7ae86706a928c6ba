// Krysseliste: one tap checks a child in or out. Taps are queued in localStorage with a client-generated
// idempotency key and replayed in order when the network is back; the server dedupes by key, so a replay
// or a double tap never creates a second registration.
(function () {
  "use strict";
  var list = document.getElementById("kryss-list");
  if (!list) { return; }
  var unit = list.dataset.unit;
  var storeKey = "oas-kryss-queue-" + unit;
  var banner = document.getElementById("kryss-offline");
  var pending = document.getElementById("kryss-pending");
  var relogin = document.getElementById("kryss-relogin");
  var flushing = false;
  // The tap token (attendance/tokens.py): taps carry it instead of the session. It expires after a while or
  // when the user's rights change; a new one comes from the session, and the tap is sent again.
  var token = list.dataset.token;

  function refreshToken() {
    return fetch(list.dataset.tokenUrl, {
      credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual"
    }).then(function (resp) {
      if (!resp.ok) { relogin.dataset.visible = "true"; return false; } // logged out: the queue waits
      return resp.json().then(function (body) { token = body.token; relogin.dataset.visible = "false"; return true; });
    });
  }

  function load() { try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; } }
  function save(q) { localStorage.setItem(storeKey, JSON.stringify(q)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function showOffline(on) {
    var q = load();
    banner.dataset.visible = on && q.length ? "true" : "false";
    pending.textContent = q.length ? "(" + q.length + ")" : "";
  }
  function render(row, kind) {
    var button = row.querySelector(".kryss-button");
    var state = row.querySelector(".kryss-state");
    var time = new Date().toTimeString().slice(0, 5);
    row.dataset.status = kind;
    if (kind === "in") {
      state.textContent = "Inne siden " + time;
      button.dataset.kind = "out"; button.textContent = list.dataset.labelOut; button.dataset.variant = "secondary";
    } else {
      state.textContent = list.dataset.labelDone + " " + time;
      button.dataset.kind = "in"; button.textContent = list.dataset.labelIn; button.dataset.variant = "tertiary";
    }
  }
  function flush(retried) {
    if (flushing) { return; }
    var q = load();
    if (!q.length) { showOffline(false); return; }
    flushing = true;
    var item = q[0];
    fetch(list.dataset.endpoint, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify(item)
    }).then(function (resp) {
      flushing = false;
      if (resp.status === 401) {
        // The token expired or no longer holds: get a new one and send again (once; then the next round).
        if (retried !== true) {
          refreshToken().then(function (ok) { if (ok) { flush(true); } }, function () { showOffline(true); });
        }
        return;
      }
      if (resp.status >= 500) { showOffline(true); return; }
      // Delivered (2xx) or refused for good (4xx): either way it leaves the queue.
      var rest = load().filter(function (x) { return x.key !== item.key; });
      save(rest);
      if (!resp.ok) {
        resp.json().then(function (body) { window.alert(body.message || "Registreringen ble avvist."); }, function () {});
        var row = list.querySelector('[data-child="' + item.child_id + '"]');
        if (row) { row.dataset.status = "error"; }
      }
      showOffline(false);
      flush();
    }, function () { flushing = false; showOffline(true); });
  }
  list.addEventListener("click", function (ev) {
    var button = ev.target.closest(".kryss-button");
    if (!button || button.disabled) { return; }
    button.disabled = true; // a double tap is ignored here, and the server ignores a repeated state anyway
    setTimeout(function () { button.disabled = false; }, 800);
    var row = button.closest(".kryss-row");
    var kind = button.dataset.kind;
    var q = load();
    q.push({ unit_id: Number(unit), child_id: Number(row.dataset.child), kind: kind, key: newKey() });
    save(q);
    render(row, kind);
    flush();
  });
  window.addEventListener("online", function () { flush(); });
  setInterval(function () { flush(); }, 5000);
  // A fresh token before the old one expires (15 minutes), so a tap is one request.
  setInterval(function () { refreshToken().then(null, function () {}); }, 10 * 60 * 1000);
  flush();
})();
