// 我的补助 from the phone: the villager opens 我的, follows 我的补助 to the page the server
// renders, and sees her household's subsidies beside the village's masked list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn } from './harness.mjs';

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

test('a villager reaches 我的补助 from 我的 and reads it at 390 and 320 px', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.goto(`${server.base}me`);
  await page.getByRole('link', { name: '我的补助' }).click();
  await page.waitForURL((u) => u.pathname.endsWith('/me/subsidies'));
  await page.getByRole('heading', { name: '本户领取' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /户号 001/);
  assert.match(text, /全村公开名单/);
  // The household's own lines (paid to its head) carry the name in full and are marked in
  // the village's list, which masks everyone's.
  const ours = page.locator('section.card').first();
  const list = page.locator('section.card').nth(1);
  const oursText = await ours.innerText();
  if (!oursText.includes('没有发给本户的补助')) {
    assert.ok((await ours.locator('li').count()) > 0);
    assert.ok((await list.locator('li.mine').count()) > 0, 'its lines are marked in the list');
  }
  assert.doesNotMatch(await list.innerText(), /王春梅|李志强|张明辉/);
  await shot(page, 'subsidies');

  // Last year has the demo's earlier months; the pager leads there without the app.
  await page.getByRole('link', { name: /上一年/ }).click();
  await page.getByRole('heading', { name: '本户领取' }).waitFor();

  const small = await phone(browser, { viewport: { width: 320, height: 700 } });
  await signIn(small, server.base, '13800000001');
  await small.goto(`${server.base}me/subsidies`);
  await small.evaluate(() => document.documentElement.classList.add('large'));
  const width = await small.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `no sideways scrolling (${width}px)`);
  await shot(small, 'subsidies-320-large');
  assert.deepEqual(page.errors, []);
});
