// The web-view's addresses: `node --test miniprogram/test/` (run by scripts/test).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const url = require('../lib/url.js');

const SERVER = 'https://cunwu.example.cn/sub/';

test('the ticket goes to the enter address, with the page to go on to', () => {
  assert.equal(url.enterUrl(SERVER, 'abc-_123', ''), 'https://cunwu.example.cn/sub/wechat/enter?t=abc-_123');
  assert.equal(
    url.enterUrl(SERVER, 'a+b/c', 'ledger/359901101201/2026-10'),
    'https://cunwu.example.cn/sub/wechat/enter?t=a%2Bb%2Fc&to=ledger%2F359901101201%2F2026-10'
  );
});

test('only paths inside Sunlight are followed', () => {
  for (const bad of ['/ledger', '//evil.example/', 'https://evil.example/', 'javascript:alert(1)', 'a/../b', '村', null, undefined, 'x'.repeat(301)]) {
    assert.equal(url.inside(bad), '', String(bad));
    assert.equal(url.pageUrl(SERVER, bad), SERVER);
    assert.equal(url.enterUrl(SERVER, 't', bad), SERVER + 'wechat/enter?t=t');
  }
  assert.equal(url.inside('projects/6f1c?x=1#entry-2'), 'projects/6f1c?x=1#entry-2');
});

test('private reports are never opened inside WeChat', () => {
  for (const to of ['report', 'report/', 'report?x=1', 'report#a']) assert.ok(url.isReport(to), to);
  for (const to of ['reports-help', 'ledger/report', '']) assert.ok(!url.isReport(to), to);
});

test('a shared page carries its path, never a ticket', () => {
  assert.equal(url.shareTarget(SERVER, SERVER + 'ledger/359901101201/2026-10?t=secret&x=1#top'), 'ledger/359901101201/2026-10?x=1#top');
  assert.equal(url.shareTarget(SERVER, SERVER + 'wechat/enter?t=secret&to=demands'), '');
  assert.equal(url.shareTarget(SERVER, 'https://elsewhere.example/ledger'), '');
  assert.equal(url.shareTarget(SERVER, undefined), '');
  assert.equal(url.sharePath('projects/6f1c'), '/pages/webview/webview?to=projects%2F6f1c');
  assert.equal(url.sharePath(''), '/pages/webview/webview');
});

test('a shared card says what it is', () => {
  assert.equal(url.shareTitle('ledger/359901101201/2026-03'), '村账目 2026年3月 · 阳光村务');
  assert.equal(url.shareTitle('projects/6f1c#entry-1'), '工程项目 · 阳光村务');
  assert.equal(url.shareTitle(''), '阳光村务');
});
