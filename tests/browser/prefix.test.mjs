// Behind a proxy under a sub-path (as in a mini-program web-view): every link, page load
// and API call stays under the prefix, across the bundles.
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

test('reports and the office, with its key-derivation worker, work under /cunwu/', async () => {
  // The inspector's passphrase key comes from the worker, fetched relative to the prefix.
  const office = await phone(browser);
  const workers = [];
  office.on('worker', (w) => workers.push(w.url()));
  await signIn(office, server.base, '13800000007');
  await office.getByRole('link', { name: '进入举报受理' }).click();
  await office.waitForURL(/\/cunwu\/office\/359901000000$/);
  await office.getByLabel('纪检口令').fill('清水县纪委的口令 2026');
  await office.getByLabel('再输入一次口令').fill('清水县纪委的口令 2026');
  await office.getByRole('button', { name: '保存' }).click();
  await office.getByRole('button', { name: '开通网上举报受理' }).waitFor();
  assert.ok(workers.some((u) => new URL(u).pathname === '/cunwu/office/sunlight-kdf_loader.js'), JSON.stringify(workers));
  // The villager's tab leads to the reports page under the prefix; it lists the places.
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.getByRole('link', { name: '举报', exact: true }).click();
  await villager.getByRole('link', { name: '我要举报' }).click();
  await villager.waitForURL(/\/cunwu\/report\/new$/);
  await villager.getByLabel('市', { exact: true }).selectOption({ label: '云溪市' });
  await villager.getByLabel('县（区）').selectOption({ label: '清水县' });
  for (const p of [office, villager]) assert.deepEqual(p.errors, []);
});
