/* OAS service worker: shows web-push notifications (the payload is only a title and a link, never content). */
"use strict";

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
  let data = { title: "Ny melding", url: "/meldinger/portal/" };
  try {
    if (event.data) {
      data = Object.assign(data, event.data.json());
    }
  } catch (e) {
    /* a payload we do not understand still gives a generic notification */
  }
  event.waitUntil(
    self.registration.showNotification(data.title, {
      body: "",
      tag: data.url,
      data: { url: data.url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) {
    return; /* only ever open our own pages */
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (w.url === target.href && "focus" in w) {
          return w.focus();
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
