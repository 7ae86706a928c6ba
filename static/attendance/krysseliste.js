// Krysseliste: one tap checks a child in or out. Taps are queued in localStorage with a client-generated
// idempotency key and replayed in order when the network is back; the server dedupes by key, so a replay
// or a double tap never creates a second registration. Staff can also mark a child sick or absent today.
// Every text shown comes from the page (the "kryss-config" JSON script element, translated there); times are
// shown in the municipality's time zone (Europe/Oslo), whatever the tablet's own setting.
(function () {
  "use strict";
  var list = document.getElementById("kryss-list");
  var configNode = document.getElementById("kryss-config");
  if (!list || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var strings = config.strings;
  var unit = list.dataset.unit;
  var storeKey = "oas-kryss-queue-" + unit;
  var banner = document.getElementById("kryss-offline");
  var pending = document.getElementById("kryss-pending");
  var relogin = document.getElementById("kryss-relogin");
  var summary = document.getElementById("kryss-summary");
  var flushing = false;
  var clockFormat = new Intl.DateTimeFormat(config.locale, {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: config.time_zone
  });
  // The tap token (attendance/tokens.py): taps carry it instead of the session. It expires after a while or
  // when the user's rights change; a new one comes from the session, and the tap is sent again.
  var token = list.dataset.token;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  function clock(date) { return clockFormat.format(date); }

  function recount() {
    if (!summary) { return; }
    var counts = { "in": 0, "expected": 0, "absent": 0, "out": 0 };
    list.querySelectorAll(".kryss-row").forEach(function (row) {
      if (Object.prototype.hasOwnProperty.call(counts, row.dataset.status)) { counts[row.dataset.status] += 1; }
    });
    Object.keys(counts).forEach(function (key) {
      var node = summary.querySelector('[data-count="' + key + '"]');
      if (node) { node.textContent = String(counts[key]); }
    });
  }

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
  // A reported absence stays visible when the child comes anyway: "Meldt syk av foresatt – krysset inn 08:12".
  function showWarning(row, time) {
    var warning = row.querySelector(".kryss-warning");
    if (!warning || !row.dataset.absenceKind) { return; }
    var kind = row.dataset.absenceKind === "sick" ? "sick" : "other";
    var source = row.dataset.absenceSource === "staff" ? "staff" : "guardian";
    warning.textContent = format(strings["warning_" + kind + "_" + source], {
      time: time, absence: row.dataset.absenceLabel || ""
    });
  }
  function render(row, kind, date) {
    var button = row.querySelector(".kryss-button");
    var state = row.querySelector(".kryss-state");
    var time = clock(date);
    row.dataset.status = kind;
    if (kind === "in") {
      state.textContent = format(strings.in_since, { time: time });
      button.dataset.kind = "out"; button.textContent = strings.check_out; button.dataset.variant = "secondary";
      showWarning(row, time);
    } else {
      state.textContent = format(strings.gone, { time: time });
      button.dataset.kind = "in"; button.textContent = strings.check_in_again; button.dataset.variant = "tertiary";
    }
    recount();
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
      body: JSON.stringify({ unit_id: item.unit_id, child_id: item.child_id, kind: item.kind, key: item.key })
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
      var row = list.querySelector('[data-child="' + item.child_id + '"]');
      if (!resp.ok) {
        resp.json().then(function (body) { window.alert(body.message || strings.rejected); }, function () {
          window.alert(strings.rejected);
        });
        if (row) { row.dataset.status = "error"; recount(); }
      } else if (resp.status === 201 && row && row.dataset.status === item.kind) {
        // The server's time of the tap, shown in Norwegian time.
        resp.json().then(function (body) { if (body.at) { render(row, item.kind, new Date(body.at)); } }, function () {});
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
    q.push({ unit_id: Number(unit), child_id: Number(row.dataset.child), kind: kind, key: newKey(), tapped: Date.now() });
    save(q);
    render(row, kind, new Date());
    flush();
  });
  // Sick or absent today: sent at once with the page's session (the form works without this script too).
  list.addEventListener("submit", function (ev) {
    var form = ev.target.closest(".kryss-absence-form");
    if (!form) { return; }
    ev.preventDefault();
    var row = form.closest(".kryss-row");
    var buttons = row.querySelectorAll(".kryss-absence-button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": list.dataset.csrf },
      body: new FormData(form)
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; }, function () {
        return { ok: false, body: {} };
      });
    }).then(function (result) {
      buttons.forEach(function (b) { b.disabled = false; });
      if (!result.ok) { window.alert(result.body.message || strings.absence_failed); return; }
      row.dataset.status = "absent";
      row.dataset.absenceKind = result.body.kind;
      row.dataset.absenceSource = "staff";
      row.dataset.absenceLabel = result.body.label;
      row.querySelector(".kryss-state").textContent = result.body.label;
      recount();
    }, function () {
      buttons.forEach(function (b) { b.disabled = false; });
      window.alert(strings.absence_failed);
    });
  });
  // Taps the server does not have yet (the page was reloaded, or the network was gone) show as tapped.
  load().forEach(function (item) {
    var row = list.querySelector('[data-child="' + item.child_id + '"]');
    if (row) { render(row, item.kind, new Date(item.tapped || Date.now())); }
  });
  showOffline(true);
  window.addEventListener("online", function () { flush(); });
  setInterval(function () { flush(); }, 5000);
  // A fresh token before the old one expires (15 minutes), so a tap is one request.
  setInterval(function () { refreshToken().then(null, function () {}); }, 10 * 60 * 1000);
  flush();
})();
