// Sunlight's service worker: the reading pages the server renders (a village's accounts,
// its notice board, its projects) stay readable without network. Each is fetched from the
// network first; the last copy is kept with the time it was fetched and shown, marked as
// such, when the network cannot be reached. Their log check (verify.js) is kept the same
// way, with what it verified (see that file). Nothing else is touched: the app, the API,
// private reports and personal pages go to the network as if this file did not exist.
// Signing out in the app deletes the kept copies (phones are shared).
'use strict';

var CACHE = 'sunlight-pages-v1';
// The reading pages: /ledger/{village}[/{month}], /disclosures/{village}, /projects/{id}.
var READING = /\/(ledger\/\d{12}(\/\d{4}-\d{2})?|disclosures\/\d{12}|projects\/[0-9a-f-]{36})$/;
// On a slow network, how long to wait before showing the kept copy instead.
var PATIENCE_MS = 6000;

self.addEventListener('install', function () {
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  // The reading pages' log check (verify.js), so that a kept copy can still say whether
  // it was verified when it was fetched.
  if (url.origin === self.location.origin && /\/verify\.js$/.test(url.pathname)) {
    event.respondWith(script(req, url.origin + url.pathname));
    return;
  }
  if (req.mode !== 'navigate') return;
  if (url.origin !== self.location.origin || url.searchParams.has('app') || !READING.test(url.pathname)) return;
  event.respondWith(reading(req, url));
});

function reading(req, url) {
  // One copy per page, whatever its fragment.
  var key = url.origin + url.pathname + url.search;
  return caches.open(CACHE).then(function (cache) {
    var network = fetch(req).then(function (res) {
      var type = res.headers.get('content-type') || '';
      if (res.status === 200 && type.indexOf('text/html') === 0) {
        return res.clone().text().then(function (html) {
          var headers = new Headers({ 'content-type': type, 'x-sunlight-fetched': new Date().toISOString() });
          return cache.put(key, new Response(html, { headers: headers })).then(function () { return res; });
        });
      }
      return res;
    });
    return cache.match(key).then(function (kept) {
      if (!kept) return network;
      var late = new Promise(function (resolve) { setTimeout(resolve, PATIENCE_MS); });
      return Promise.race([network, late.then(function () { return null; })]).then(
        function (res) { return res || offline(kept); },
        function () { return offline(kept); }
      );
    });
  });
}

function script(req, key) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(req).then(function (res) {
      if (res.status === 200) cache.put(key, res.clone());
      return res;
    }, function (err) {
      return cache.match(key).then(function (kept) {
        if (kept) return kept;
        throw err;
      });
    });
  });
}

// The kept copy, saying it is one and when it was fetched (China time).
function offline(kept) {
  var at = new Date(kept.headers.get('x-sunlight-fetched') || 0);
  var china = new Date(at.getTime() + 8 * 3600 * 1000).toISOString().replace('T', ' ').slice(0, 16);
  return kept.text().then(function (html) {
    var note = '<p class="offline" role="status">没有网络：这是 ' + china + ' 保存的内容，联网后打开会自动更新。</p>';
    return new Response(html.replace('<main class="content">', '<main class="content">' + note), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    });
  });
}
