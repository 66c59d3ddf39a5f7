// The outreach pages' service worker (HRM-8, "Works offline"), served by
// bedring/outreach/views/offline.py at /outreach/sw.js, which puts its configuration in front:
// self.BEDRING_OFFLINE = {version, page, shell, assets}.
//
// It caches the contact page's shell (the page without any person data, `?shell=1`) and the
// static files it needs, and answers with them when the network does not. The contact page
// itself, every other page, and every API answer go to the network only and are never cached:
// a page with person data must not outlive the login on the phone. A logout clears it all
// (Clear-Site-Data, and offline.js on the page after it).

const CONFIG = self.BEDRING_OFFLINE;
const PREFIX = "bedring-outreach-shell-";
const CACHE = PREFIX + CONFIG.version;
// Past this, a navigation to the contact page gives up on a weak signal and shows the shell.
const NAVIGATION_TIMEOUT_MS = 10000;
const ASSET_TIMEOUT_MS = 5000;

function cacheable(response, url) {
  // Our own answer to exactly what was asked: not a redirect (to the login page), not an error.
  return (
    response.ok &&
    response.type === "basic" &&
    !response.redirected &&
    new URL(response.url).pathname === new URL(url, self.location.href).pathname
  );
}

async function cacheShell() {
  const cache = await caches.open(CACHE);
  let shellCached = false;
  try {
    const response = await fetch(CONFIG.shell, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "follow",
    });
    if (cacheable(response, CONFIG.shell)) {
      await cache.put(CONFIG.shell, response);
      shellCached = true;
    }
  } catch (error) {
    shellCached = false;
  }
  await Promise.all(
    CONFIG.assets.map(async (asset) => {
      try {
        const response = await fetch(asset, { credentials: "same-origin", cache: "no-cache" });
        if (cacheable(response, asset)) {
          await cache.put(asset, response);
        }
      } catch (error) {
        // Offline or gone: an older copy (carried over on activation) stays.
      }
    })
  );
  return shellCached;
}

self.addEventListener("install", (event) => {
  // Best effort: without a login the shell is not there to cache; the page asks again.
  event.waitUntil(
    cacheShell()
      .catch(() => false)
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const current = await caches.open(CACHE);
      for (const name of await caches.keys()) {
        if (name === CACHE || !name.startsWith(PREFIX)) {
          continue;
        }
        // Carry over what the new version could not fetch, then drop the old version.
        const old = await caches.open(name);
        for (const request of await old.keys()) {
          if (!(await current.match(request))) {
            const response = await old.match(request);
            if (response) {
              await current.put(request, response);
            }
          }
        }
        await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "cache-shell") {
    return;
  }
  const port = event.ports && event.ports[0];
  event.waitUntil(
    cacheShell()
      .catch(() => false)
      .then((ok) => {
        if (port) {
          port.postMessage({ ok });
        }
      })
  );
});

async function fromCache(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

function contactPage(request) {
  // The network first (the full page, with the worker's recent people); the cached shell when
  // there is no network, or no answer within NAVIGATION_TIMEOUT_MS and a shell to show.
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (response) => {
      if (!settled && response) {
        settled = true;
        resolve(response);
      }
    };
    const timer = setTimeout(async () => settle(await fromCache(CONFIG.shell)), NAVIGATION_TIMEOUT_MS);
    fetch(request)
      .then((response) => {
        clearTimeout(timer);
        settle(response);
      })
      .catch(async () => {
        clearTimeout(timer);
        const shell = await fromCache(CONFIG.shell);
        if (shell) {
          settle(shell);
        } else if (!settled) {
          settled = true;
          reject(new TypeError("offline, and no shell cached"));
        }
      });
  });
}

async function asset(request, path) {
  // The network first, so a new release is used at once; the cached copy when offline, or
  // when the network is slower than ASSET_TIMEOUT_MS (it still refreshes the cache after).
  const network = fetch(request).then(async (response) => {
    if (cacheable(response, path)) {
      const cache = await caches.open(CACHE);
      await cache.put(path, response.clone());
    }
    return response;
  });
  const cached = await fromCache(path);
  if (!cached) {
    return network;
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(cached), ASSET_TIMEOUT_MS);
    network.then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      () => {
        clearTimeout(timer);
        resolve(cached);
      }
    );
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    event.respondWith(contactPage(request));
    return;
  }
  if (CONFIG.assets.includes(url.pathname)) {
    event.respondWith(asset(request, url.pathname));
  }
  // Anything else (other pages, the API, person data): not handled, so straight to the network.
});
