// The publication log's check on the server's reading pages (a month's accounts, the
// notice board, a project's page), which carry no WebAssembly of their own: every element
// with a `data-log` holds the JSON the server drew it from (a published month, or a
// catalogue entry or project stage), and gets a mark once the verify worker
// (`verify-worker/`, the same one the app uses) has checked that JSON against the county's
// signed log: verified, a warning that says which promise broke, or "could not check".
// The phone's pinned key and last head of each county are the app's (local storage), so
// a rollback seen by either is seen by both.
//
// Read offline (the service worker's copy), the worker cannot fetch proofs. A verified
// check is remembered, by the SHA-256 of the JSON checked, in the same cache as the
// offline copies (deleted with them at sign-out), so the copy can say it was verified
// when it was last fetched, and when.
(function () {
  'use strict';
  var shown = document.querySelectorAll('[data-log]');
  if (!shown.length) return;
  var CACHE = 'sunlight-pages-v1';
  var KEY = 'sunlight.log.key';
  var WORDS = {
    checking: '正在与公开记录核对…',
    verified: '已核验：与公开时的记录一致',
    entries: '全县记录条数 ',
    before: '（现在没有网络，这是上次联网时的核验）',
    warning: '⚠ 核验未通过：',
    what: '请截图保存本页，并向乡镇或县纪委监委反映。',
    altered: '本页内容与公开时记录的不一致：公开后被改动过。',
    not_logged: '本页内容在公开记录中找不到。',
    bad_signature: '公开记录的签名与本手机以前核验时的不同。',
    rolled_back: '公开记录与本手机以前看到的不一致：以前的记录被改写过。',
    bad_proof: '服务器给出的核验材料不对。',
    unchecked: '暂时无法核验（网络不通或服务器未应答），稍后再打开本页。'
  };
  WORDS.forked = WORDS.rolled_back;
  WORDS.wrong_log = WORDS.bad_proof;

  function kept(k) {
    try { return localStorage.getItem(k); } catch (e) { return null; }
  }
  function keep(k, v) {
    try { localStorage.setItem(k, v); } catch (e) { /* private mode: nothing kept */ }
  }
  function china(ms) {
    return new Date(ms + 8 * 3600 * 1000).toISOString().replace('T', ' ').slice(0, 16);
  }
  function say(mark, kind, head, text) {
    mark.className = 'log-mark ' + kind;
    mark.setAttribute('role', kind === 'warn' ? 'alert' : 'status');
    mark.textContent = '';
    if (head) {
      var b = document.createElement('b');
      b.textContent = head;
      mark.appendChild(b);
      mark.appendChild(document.createTextNode(' '));
    }
    mark.appendChild(document.createTextNode(text));
  }
  function verifiedText(size, at) {
    return WORDS.verified + ' · ' + WORDS.entries + size + ' · ' + china(at);
  }

  // The SHA-256 of what was checked (null where the browser has no WebCrypto).
  function fingerprint(text) {
    try {
      return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (d) {
        return Array.prototype.map.call(new Uint8Array(d), function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
      }, function () { return null; });
    } catch (e) {
      return Promise.resolve(null);
    }
  }
  function place(fp) {
    return new URL('verified/' + fp, document.baseURI).href;
  }
  function remember(fp, value) {
    if (!fp || !window.caches) return;
    caches.open(CACHE).then(function (c) { return c.put(place(fp), new Response(value)); }).catch(function () {});
  }
  function remembered(fp) {
    if (!fp || !window.caches) return Promise.resolve(null);
    return caches.open(CACHE).then(function (c) { return c.match(place(fp)); })
      .then(function (r) { return r ? r.text() : null; }, function () { return null; });
  }

  var asks = [];
  for (var i = 0; i < shown.length; i++) {
    var el = shown[i];
    var mark = document.createElement('p');
    say(mark, 'muted', '', WORDS.checking);
    // Under the heading (an entry's title, a month's totals), or at the end.
    el.insertBefore(mark, el.children[1] || null);
    var json = el.getAttribute('data-log');
    asks.push({ tag: (el.getAttribute('data-log-kind') === 'month' ? 'm' : 'e') + i, json: json, mark: mark, fp: fingerprint(json), done: false });
  }

  // No answer: a verified check remembered for exactly this content, or "could not check".
  function unanswered(a) {
    a.done = true;
    a.fp.then(remembered).then(function (v) {
      var parts = (v || '').split(' ');
      if (v) say(a.mark, 'ok', '✓', verifiedText(parts[0], Number(parts[1])) + WORDS.before);
      else say(a.mark, 'muted', '', WORDS.unchecked);
    });
  }

  function answered(a, answer) {
    a.done = true;
    // verdict key [size at county head]
    var parts = answer.split(' ');
    var verdict = parts[0];
    if (verdict === 'verified') {
      if (!kept(KEY)) keep(KEY, parts[1]);
      var head = parts.slice(5).join(' ');
      if (parts[4] && head) keep('sunlight.log.head.' + parts[4], head);
      say(a.mark, 'ok', '✓', verifiedText(parts[2], Number(parts[3])));
      a.fp.then(function (fp) { remember(fp, parts[2] + ' ' + parts[3]); });
    } else if (verdict === 'unreachable' || !WORDS[verdict]) {
      unanswered(a);
    } else {
      say(a.mark, 'warn', WORDS.warning, WORDS[verdict] + ' ' + WORDS.what);
    }
  }

  // The worker is WebAssembly: where it cannot run (the page's start-up check marks
  // that), only what was remembered can be said.
  var worker;
  try {
    if (typeof WebAssembly !== 'object' || /\bnowasm\b/.test(document.documentElement.className)) throw new Error('no WebAssembly');
    worker = new Worker('sunlight-verify_loader.js');
  } catch (e) {
    asks.forEach(unanswered);
    return;
  }
  var byTag = {};
  asks.forEach(function (a) { byTag[a.tag] = a; });
  worker.onerror = function (e) {
    // Handled here: not the page's error.
    if (e && e.preventDefault) e.preventDefault();
    asks.forEach(function (a) { if (!a.done) unanswered(a); });
    worker.terminate();
  };
  worker.onmessage = function (e) {
    var data = String(e.data);
    if (data === 'ready') {
      var key = kept(KEY) || '-';
      asks.forEach(function (a) {
        var county = '-';
        try { county = JSON.parse(a.json).village.slice(0, 6) + '000000'; } catch (err) { /* checked by the worker */ }
        var head = kept('sunlight.log.head.' + county) || '-';
        worker.postMessage(key + '\n' + head + '\n@' + a.tag + '\n' + a.json);
      });
      return;
    }
    var space = data.indexOf(' ');
    var a = byTag[data.slice(0, space)];
    if (a && !a.done) answered(a, data.slice(space + 1));
    if (asks.every(function (x) { return x.done; })) worker.terminate();
  };
})();
