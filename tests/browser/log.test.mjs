// The publication log in the phone: a published month carries a verified mark, checked by
// the verify worker after the page is shown; once someone edits the month's row in the
// database under the server, the same phone shows a warning instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launch, phone, shot, signIn, monthsAgo } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

const VILLAGE = '359901101201';

/** Runs one statement on the server's SQLite file, as someone with a copy of it would. */
function edit(sql, ...params) {
  const db = join(server.data, 'sunlight.db');
  execFileSync('python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(sys.argv[2], sys.argv[3:])
c.commit()
`, db, sql, ...params]);
}

test('a published month is verified in the phone, and an edit under the server is caught', async () => {
  const month = monthsAgo(2);
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.goto(`${server.base}ledger/${VILLAGE}/${month}?app`);
  const mark = page.locator('.log-mark');
  await mark.filter({ hasText: '已核验' }).waitFor({ timeout: 30000 });
  assert.match(await mark.innerText(), /与公开时的记录一致/);
  // The worker came after the page, not in its first load.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  assert.ok(loaded.some((u) => u.includes('sunlight-verify')), 'the verify worker was loaded');
  await shot(page, 'log-verified');

  // Someone with the database raises a published amount in place.
  edit(`UPDATE ledger_lines SET amount_fen = amount_fen + 100000
        WHERE month_id = (SELECT id FROM ledger_months WHERE village_code = ? AND month = ?)`, VILLAGE, month);
  await page.reload();
  const warning = page.locator('.log-mark.warn');
  await warning.waitFor({ timeout: 30000 });
  assert.match(await warning.innerText(), /核验未通过/);
  assert.match(await warning.innerText(), /公开后被改动过/);
  assert.equal(await page.getByRole('alert').filter({ hasText: '核验未通过' }).count(), 1);
  await shot(page, 'log-tampered');

  // A second phone that never saw this log before is warned too: the content is checked
  // against the entry made when the month was published, not against the server's word today.
  const other = await phone(browser);
  await signIn(other, server.base, '13800000001');
  await other.goto(`${server.base}ledger/${VILLAGE}/${month}?app`);
  await other.locator('.log-mark.warn').waitFor({ timeout: 30000 });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test('a cadre, who sees names in full, is checked too; at 320 px with large text the mark wraps', async () => {
  const page = await phone(browser, { viewport: { width: 320, height: 700 } });
  await signIn(page, server.base, '13800000003');
  await page.goto(`${server.base}ledger/${VILLAGE}/${monthsAgo(3)}?app`);
  await page.evaluate(() => document.documentElement.classList.add('large'));
  const mark = page.locator('.log-mark.ok');
  await mark.waitFor({ timeout: 30000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `no sideways scrolling (${width}px)`);
  await shot(page, 'log-verified-320-large');
});

test('the server-drawn pages are checked too: the month, each notice-board entry, and an entry edited under the server is named', async () => {
  const page = await phone(browser);
  // The plain month page, without the app: its mark comes from verify.js and the same worker.
  await page.goto(`${server.base}ledger/${VILLAGE}/${monthsAgo(3)}`);
  await page.locator('.log-mark.ok').waitFor({ timeout: 30000 });
  assert.match(await page.locator('.log-mark.ok').innerText(), /已核验：与公开时的记录一致 · 全县记录条数 \d+/);

  await page.goto(`${server.base}disclosures/${VILLAGE}`);
  const logged = await page.locator('[data-log]').count();
  assert.ok(logged >= 3, `the notice board carries its published entries (${logged})`);
  const verified = page.locator('article.entry .log-mark.ok');
  await page.waitForFunction((n) => document.querySelectorAll('article.entry .log-mark.ok').length === n, logged, { timeout: 60000 });
  assert.equal(await verified.count(), logged);
  assert.equal(await page.locator('.log-mark.warn').count(), 0);
  await shot(page, 'log-notice-board-verified');

  // Someone with the database rewrites one published entry's text in place.
  const id = (await page.locator('article.entry[data-log]').first().getAttribute('id')).slice('entry-'.length);
  const hex = id.replaceAll('-', '');
  edit(`UPDATE disclosures SET body = body || '（已改）' WHERE hex(id) = upper(?)`, hex);
  await page.reload();
  const warned = page.locator(`#entry-${id} .log-mark.warn`);
  await warned.waitFor({ timeout: 30000 });
  assert.match(await warned.innerText(), /公开后被改动过/);
  // Only that entry: the others still hold.
  await page.waitForFunction((n) => document.querySelectorAll('article.entry .log-mark.ok').length === n, logged - 1, { timeout: 60000 });
  assert.equal(await page.locator('.log-mark.warn').count(), 1);
  await shot(page, 'log-notice-board-tampered');
  assert.deepEqual(page.errors, []);
});

test('where no service worker runs (an iPhone\'s WeChat), the accounts read last stay readable in the app, until sign-out', async () => {
  const page = await phone(browser, { serviceWorkers: 'block' });
  await signIn(page, server.base, '13800000001');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  const month = page.locator('ul.months a').nth(2);
  const label = await month.innerText();
  await month.click();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  const online = await page.locator('.totals').first().innerText();
  const lines = await page.locator('li.line').count();
  await page.goBack();
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();

  await page.context().setOffline(true);
  await page.getByRole('link', { name: label }).click();
  const note = page.getByText(/没有网络：这是 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 保存的内容/);
  await note.waitFor();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  // The same month, whole.
  assert.equal(await page.locator('.totals').first().innerText(), online);
  assert.equal(await page.locator('li.line').count(), lines);
  await shot(page, 'month-kept-offline');
  await page.context().setOffline(false);

  // Signed out: nothing of it stays on the phone.
  await page.getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL((u) => u.pathname.endsWith('/login'));
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sunlight.kept'))), []);
  assert.deepEqual(page.errors, []);
});
