// Behind a proxy under a sub-path (as in a mini-program web-view): every link, page load
// and API call stays under the prefix, across both bundles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn } from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer(['--base-path', '/cunwu']);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test('a cadre moves between the two bundles under /cunwu/', async () => {
  assert.match(server.base, /\/cunwu\/$/);
  const page = await phone(browser);
  await signIn(page, server.base, '13800000003');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/cunwu/);
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.waitForURL(/\/cunwu\/me$/);
  await page.getByRole('link', { name: '进入工作台' }).click();
  await page.waitForURL(/\/cunwu\/staff\/work$/);
  await page.getByRole('link', { name: '管理' }).click();
  await page.waitForURL(/\/cunwu\/staff\/admin\/359901101201$/);
  await page.getByRole('heading', { name: '农户', exact: true }).waitFor();
  await page.locator('ul.rows li', { hasText: '001' }).first().waitFor();
  await page.getByRole('link', { name: '查看本村账目' }).click();
  await page.waitForURL(/\/cunwu\/staff\/ledger\/359901101201$/);
  await page.locator('ul.months a').first().click();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  await shot(page, 'prefix-staff-month');
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.waitForURL(/\/cunwu\/staff\/me$/);
  await page.getByRole('link', { name: '回到本村公开' }).click();
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/cunwu\/?$/);
  assert.deepEqual(page.errors, []);
});
