/* Settings page: subscribe this browser to web push (VAPID) or unsubscribe. */
"use strict";

(function () {
  const box = document.getElementById("push-box");
  if (!box) {
    return;
  }
  const status = document.getElementById("push-status");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const csrf = box.dataset.csrf;

  function say(text) {
    status.textContent = text;
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
  }

  async function registration() {
    return navigator.serviceWorker.register(box.dataset.sw, { scope: "/" });
  }

  async function refresh() {
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    on.hidden = Boolean(sub);
    off.hidden = !sub;
    say(sub ? box.dataset.textOn : box.dataset.textOff);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !box.dataset.key) {
    say(box.dataset.textUnsupported);
    on.hidden = true;
    off.hidden = true;
    return;
  }

  on.addEventListener("click", async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say(box.dataset.textDenied);
        return;
      }
      const reg = await registration();
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.key),
      });
      await post(box.dataset.subscribe, sub.toJSON());
      await refresh();
    } catch (e) {
      say(box.dataset.textError);
    }
  });

  off.addEventListener("click", async () => {
    try {
      const reg = await registration();
      const sub = await reg.pushManager.getSubscription();
      if (sub) {
        await post(box.dataset.unsubscribe, { endpoint: sub.endpoint });
        await sub.unsubscribe();
      }
      await refresh();
    } catch (e) {
      say(box.dataset.textError);
    }
  });

  refresh().catch(() => say(box.dataset.textError));
})();
