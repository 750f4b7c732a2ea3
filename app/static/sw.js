// Service worker: lets a respondent reopen a screening link without a network.
//
// Why: school networks drop. Once a page has been opened, its shell (index.html,
// boot.js, style.css, the wasm app) and the campaign it loaded are kept here, so the
// same link opens offline and answers wait in the page's outbox until the network
// is back. Submissions (POST) are never cached or replayed by this worker: the page's
// outbox owns them, with their idempotency keys.
// v2: staff pages (another shell, /staff.html) are no longer answered with this one.
const CACHE = 'xinan-v2';
const SHELL = ['/index.html', '/boot.js', '/style.css', '/pkg/app.js', '/pkg/app_bg.wasm'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Network first, so a fresh deployment is used whenever the network is there; the
// cache answers only when the network does not.
async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(cacheKey);
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Every screening link (/c/CODE) is the same app shell. Other pages (/staff/…,
    // /instruments) have their own shell and live data: left to the network.
    if (url.pathname.startsWith('/c/')) event.respondWith(networkFirst(request, '/index.html'));
  } else if (SHELL.includes(url.pathname) || url.pathname.startsWith('/api/v1/campaigns/')) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
