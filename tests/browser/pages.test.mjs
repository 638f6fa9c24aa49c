// The village's published accounts as the server renders them: read on a phone with no
// account, with JavaScript off, and where WebAssembly cannot run (Chromium's jitless mode,
// as in iOS Lockdown Mode and old WeChat web-views), at 390 px and at 320 px with large text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, launch, phone, shot, scrollsSideways, signIn } from './harness.mjs';

const VILLAGE = '359901101201';
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

/** The month `n` months before this one in China (YYYY-MM): the demo published it. */
function monthsAgo(n) {
  const [y, m] = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7).split('-').map(Number);
  const i = y * 12 + (m - 1) - n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

test('anyone reads a published month with JavaScript off, and follows its links', async () => {
  const page = await phone(browser, { javaScriptEnabled: false });
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm') || r.url().endsWith('.js')) wasm.push(r.url()); });
  const m = monthsAgo(2);
  const res = await page.goto(server.base + `ledger/${VILLAGE}/${m}`);
  assert.equal(res.status(), 200);
  await page.getByRole('heading', { name: `上坪村 · ${m} 已公开` }).waitFor();
  const text = await page.locator('.content').innerText();
  assert.match(text, /收入[\s\S]*支出[\s\S]*结余/);
  assert.match(text, /桃源镇\s*已审核/);
  // A link pasted into a chat shows the month's title, its totals and a picture.
  const meta = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:"], meta[name=description]')]
    .map((m) => [m.getAttribute('property') ?? m.getAttribute('name'), m.content])));
  assert.equal(meta['og:title'], `上坪村 · ${m} · 阳光村务`);
  assert.match(meta['og:description'], /^收入 ¥[\d,.]+ · 支出 ¥[\d,.]+ · 结余/);
  assert.equal(meta.description, meta['og:description']);
  assert.equal(meta['og:image'], `${server.base}share.png`);
  const image = await page.request.get(meta['og:image']);
  assert.equal(image.headers()['content-type'], 'image/png');
  // Demo months carry their invoice photos, shown here as on the app.
  assert.ok(await page.locator('li.line img').count() > 0, 'invoice photos');
  // Private persons' names masked, as in the app.
  assert.doesNotMatch(text, /林桂兰|吴海生|陈国强/);
  assert.equal(await scrollsSideways(page), false);
  await shot(page, 'page-month-no-js');
  // The year, then another month, by plain links.
  await page.getByRole('link', { name: '全年账目' }).click();
  await page.getByRole('heading', { name: /年账目/ }).waitFor();
  await page.locator('ul.months a').first().click();
  await page.getByRole('heading', { name: /上坪村 · \d{4}-\d{2}/ }).waitFor();
  assert.deepEqual(wasm, [], 'nothing of the app was downloaded');
});

test('where WebAssembly cannot run the month is still read, and the page says what needs the app', async () => {
  const jitless = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--js-flags=--jitless'],
  });
  try {
    const page = await phone(jitless);
    const m = monthsAgo(2);
    await page.goto(server.base + `ledger/${VILLAGE}/${m}`);
    await page.getByRole('heading', { name: `上坪村 · ${m} 已公开` }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('nowasm')), true);
    await page.getByText('只能阅读本页').waitFor();
    assert.equal(await page.getByRole('link', { name: '对这笔账提问' }).isVisible(), false);
    assert.doesNotMatch(await page.locator('body').innerText(), /无法打开本页面/);
    await shot(page, 'page-month-no-wasm');
    assert.deepEqual(page.errors, []);
    // A migrant worker's report cannot be encrypted here: the page says how else to report.
    await page.goto(server.base + 'report/new');
    await page.getByRole('alert').getByText('12388').waitFor();
    await shot(page, 'report-no-wasm');
  } finally {
    await jitless.close();
  }
});

test('at 320 px with large text nothing scrolls sideways, and the app opens from the page', async () => {
  const page = await phone(browser, { viewport: { width: 320, height: 640 } });
  await page.addInitScript(() => localStorage.setItem('sunlight.large', '1'));
  const m = monthsAgo(2);
  await page.goto(server.base + `ledger/${VILLAGE}/${m}`);
  await page.getByRole('heading', { name: `上坪村 · ${m} 已公开` }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large')), true);
  assert.equal(await scrollsSideways(page), false);
  await shot(page, 'page-month-320-large');
  // Asking a question needs the app: the link opens it at the same month (signing in first).
  await page.getByRole('link', { name: '对这笔账提问' }).click();
  await page.waitForURL(/\?app$|\/login/);
  await page.getByLabel('手机号').waitFor();
  assert.deepEqual(page.errors, []);
});

test('the notice board poster carries the village QR code, and a county can keep its pages to villagers', async () => {
  const page = await phone(browser);
  await page.goto(server.base + `ledger/${VILLAGE}`);
  await page.getByRole('link', { name: '打印本村公开二维码' }).click();
  await page.getByRole('heading', { name: '上坪村' }).first().waitFor();
  assert.ok(await page.locator('.qr svg path').count() === 1);
  assert.match(await page.locator('.poster-url').innerText(), new RegExp(`ledger/${VILLAGE}$`));
  await shot(page, 'poster');

  // The county's administrator keeps the pages to villagers, in the workbench.
  const admin = await phone(browser);
  await signIn(admin, server.base, '13800000009');
  await admin.goto(server.base + 'staff/admin/359901000000');
  const box = admin.getByLabel('仅限本村村民登录后查看');
  await box.waitFor();
  await admin.waitForFunction(() => !document.querySelector('input[type=checkbox]').disabled);
  const saved = () => admin.waitForResponse((r) => r.url().endsWith('/disclosure-access') && r.request().method() === 'PUT');
  await Promise.all([saved(), box.check()]);
  await shot(admin, 'admin-disclosure-access');
  const res = await page.goto(server.base + `ledger/${VILLAGE}/${monthsAgo(2)}`);
  assert.equal(res.status(), 401);
  await page.getByText('仅限本村村民查看').waitFor();
  await Promise.all([saved(), box.uncheck()]);
  assert.equal((await page.goto(server.base + `ledger/${VILLAGE}/${monthsAgo(2)}`)).status(), 200);
  assert.deepEqual(admin.errors, []);
});

test('anyone reads a village poll as a page, with JavaScript off, and is sent to the app to vote', async () => {
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  const polls = await villager.evaluate(async (v) => (await fetch(`api/regions/${v}/polls`)).json(), VILLAGE);
  assert.ok(polls.length > 0, 'the demo has a poll');
  const page = await phone(browser, { javaScriptEnabled: false });
  const res = await page.goto(server.base + `polls/${polls[0].id}`);
  assert.equal(res.status(), 200);
  await page.getByRole('heading', { name: new RegExp(polls[0].title) }).waitFor();
  const text = await page.locator('.content').innerText();
  assert.match(text, /每户一票|每人一票/);
  assert.match(text, /结果|参与/);
  assert.match(text, /可以投票的农户（开始时已在本村登记）：\d+/);
  // Its plan is shown to anyone who may read the poll, signed in or not.
  const img = page.locator('.thumbs img');
  await img.waitFor();
  const plan = await page.request.get(await img.evaluate((e) => e.src));
  assert.equal(plan.status(), 200);
  assert.equal(plan.headers()['content-type'], 'image/jpeg');
  await page.getByRole('link', { name: '投票' }).first().waitFor();
  await shot(page, 'page-poll-no-js');
});
