// The shell's configuration, as WeChat's developer tool and review would read it.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const read = (f) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const files = (dir) =>
  fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'test' ? [] : files(path.join(dir, e.name))) : [path.join(dir, e.name)]
  );

test('every JSON file of the shell is valid JSON', () => {
  const json = files('.').filter((f) => f.endsWith('.json'));
  assert.ok(json.length >= 7, json.join(' '));
  for (const f of json) assert.doesNotThrow(() => JSON.parse(read(f)), f);
});

test('app.json lists pages that exist, each whole, and the sitemap', () => {
  const app = JSON.parse(read('app.json'));
  assert.deepEqual(app.pages.slice(0, 1), ['pages/index/index'], 'the home page comes first');
  for (const page of app.pages) {
    for (const ext of ['.js', '.json', '.wxml']) assert.ok(fs.existsSync(path.join(ROOT, page + ext)), page + ext);
  }
  assert.ok(fs.existsSync(path.join(ROOT, app.sitemapLocation)));
  // Every page file belongs to a listed page.
  for (const f of files('pages')) assert.ok(app.pages.includes(f.replace(/\.\w+$/, '')), f);
});

test('the AppID is the same in config.js and project.config.json, and nothing secret is in the shell', () => {
  const config = require('../config.js');
  const project = JSON.parse(read('project.config.json'));
  assert.equal(project.appid, config.appId);
  assert.match(config.appId, /^(wx[0-9a-f]{16}|touristappid)$/);
  assert.match(config.server, /^https:\/\/[^/:]+\/(.*\/)?$/, 'HTTPS, no port, ending with /');
  for (const f of files('.')) assert.doesNotMatch(read(f), /appsecret\s*[:=]|secret\s*[:=]\s*['"][0-9a-f]{32}/i, f);
});

test('the web-view page opens only what lib/url.js builds', () => {
  assert.match(read('pages/webview/webview.wxml'), /<web-view[^>]*src="\{\{url\}\}"/);
  assert.match(read('pages/webview/webview.js'), /onShareAppMessage/);
});
