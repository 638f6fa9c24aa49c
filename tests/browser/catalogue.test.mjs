// The disclosure catalogue from the phone: the accountant writes an entry with a photo and
// submits it, the township's reviewer finds it in the to-do list and publishes it, anyone
// reads it on the village's server-rendered notice board (at 390 and 320 px), and the
// county's inspector sees every village's light, red first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, scrollsSideways, png, todayInChina } from './harness.mjs';

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
const TITLE = '党支部关于村道硬化工程的决议';

test('an entry goes from the accountant through the township to the notice board', async () => {
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(`${server.base}staff/work`);
  await acc.getByRole('link', { name: '公开事项', exact: true }).click();
  await acc.waitForURL((u) => u.pathname.endsWith(`/staff/disclosures/${VILLAGE}`));
  await acc.getByRole('heading', { name: '填报公开事项' }).waitFor();
  // The demo's 上坪村 published one quarter's hospitality spending late: yellow.
  assert.equal(await acc.locator('h2 .light.yellow').count(), 1);
  await shot(acc, 'catalogue-village');

  await acc.getByLabel('公开项目').selectOption('party-decisions');
  await acc.getByText('事情发生的日期').waitFor();
  await acc.getByLabel('期间').fill(todayInChina());
  await acc.getByLabel('标题').fill(TITLE);
  await acc.getByLabel('公开内容').fill('经支部委员会讨论，同意村道硬化工程方案，提交村民代表会议表决。');
  await acc.getByRole('button', { name: '保存草稿' }).click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/disclosure/'));
  await acc.getByText('草稿', { exact: true }).waitFor();
  await acc.locator('#entry-file').setInputFiles({ name: 'minutes.png', mimeType: 'image/png', buffer: png() });
  await acc.locator('ul.thumbs img').first().waitFor();
  await acc.getByRole('button', { name: '提交镇里审核' }).click();
  await acc.getByText('待审核', { exact: true }).waitFor();
  // Submitted: the form and the file's delete button are gone.
  assert.equal(await acc.getByLabel('标题').count(), 0);
  await shot(acc, 'catalogue-entry-submitted');
  assert.deepEqual(acc.errors, []);

  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.goto(`${server.base}staff/work`);
  await rev.getByRole('link', { name: /公开事项待审核/ }).click();
  await rev.waitForURL((u) => u.pathname.includes('/staff/disclosure-queue/'));
  await rev.getByRole('link', { name: new RegExp(TITLE) }).click();
  await rev.getByRole('button', { name: '审核通过并公开' }).click();
  await rev.getByText('已公开', { exact: true }).waitFor();
  assert.match(await rev.locator('main').innerText(), /审核：黄审核/);
  assert.deepEqual(rev.errors, []);

  // Anyone, signed out, on the notice board the server renders.
  const reader = await phone(browser);
  await reader.goto(`${server.base}ledger/${VILLAGE}`);
  await reader.getByRole('link', { name: '党务、村务、财务公开事项' }).click();
  await reader.waitForURL((u) => u.pathname.endsWith(`/disclosures/${VILLAGE}`));
  await reader.getByRole('heading', { name: '党务公开' }).waitFor();
  const board = await reader.locator('main').innerText();
  assert.match(board, new RegExp(TITLE));
  assert.match(board, /乡镇审核 黄审核/);
  assert.match(board, /逾期公开/, 'the late quarter says so');
  assert.ok((await reader.locator(`article.entry img`).count()) > 0, 'the photo is shown');
  await shot(reader, 'catalogue-board');
  const narrow = await phone(browser, { viewport: { width: 320, height: 640 } });
  await narrow.goto(`${server.base}disclosures/${VILLAGE}`);
  await narrow.evaluate(() => document.documentElement.classList.add('large'));
  assert.equal(await scrollsSideways(narrow), false, 'no sideways scrolling at 320 px in large text');
  await shot(narrow, 'catalogue-board-320');
});

test('the county inspector sees every village, red first, and opens one', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000007');
  await page.goto(`${server.base}staff/work`);
  await page.getByRole('link', { name: '公开完成情况' }).first().click();
  await page.waitForURL((u) => u.pathname.includes('/staff/completeness/'));
  const villages = page.locator('ul.villages li');
  await villages.first().waitFor();
  assert.ok((await villages.count()) >= 7, 'every village of the county');
  assert.match(await villages.first().innerText(), /^红/);
  assert.match(await villages.last().innerText(), /^(绿|黄)/);
  assert.match(await villages.first().innerText(), /逾期未公开：/);
  await shot(page, 'catalogue-completeness');
  await villages.first().getByRole('link').click();
  await page.waitForURL((u) => u.pathname.includes('/staff/disclosures/'));
  await page.getByText('未公开', { exact: true }).first().waitFor();
  assert.deepEqual(page.errors, []);
});

test('a cadre sets the village group robot and is told what is refused', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000003');
  await page.goto(`${server.base}staff/admin/${VILLAGE}`);
  await page.getByRole('heading', { name: '村民群推送' }).waitFor();
  await page.getByText('还没有设置群机器人。').waitFor();
  const field = page.getByLabel('Webhook 地址');
  await field.fill('https://example.cn/cgi-bin/webhook/send?key=abc');
  await page.getByRole('heading', { name: '村民群推送' }).locator('..').getByRole('button', { name: '保存' }).click();
  await page.getByRole('alert').filter({ hasText: 'Webhook 地址不在可选范围内' }).waitFor();
  await field.fill('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=5f2a9c1e-demo-robot-7d41');
  await page.getByRole('heading', { name: '村民群推送' }).locator('..').getByRole('button', { name: '保存' }).click();
  await page.getByText('企业微信', { exact: true }).waitFor();
  const card = await page.getByRole('heading', { name: '村民群推送' }).locator('..').innerText();
  assert.match(card, /5f2a…7d41/);
  assert.doesNotMatch(card, /demo-robot/, 'the secret is never shown whole');
  await page.getByRole('heading', { name: '村民群推送' }).locator('..').screenshot({ path: `${import.meta.dirname}/screenshots/robot-card.png` });
  assert.deepEqual(page.errors, []);
});

test('a published entry is corrected as a new version beside the original', async () => {
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(`${server.base}staff/disclosures/${VILLAGE}`);
  // The demo's hospitality spending of the third quarter, published late.
  await acc.getByRole('link', { name: /第三季度招待费、差旅费支出/ }).first().click();
  await acc.getByRole('heading', { name: '更正这一版' }).waitFor();
  await acc.getByLabel('公开内容').last().fill('本季度招待费 0 元；差旅费 1,420.00 元（赴县培训 2 人次，补记车费 180 元）。');
  await acc.getByLabel('更正原因（村民能看到）').fill('漏记车费 180 元，补记');
  await acc.getByRole('button', { name: '写更正稿' }).click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/disclosure/'));
  await acc.getByText('漏记车费 180 元，补记').waitFor();
  await acc.getByRole('button', { name: '提交镇里审核' }).click();
  await acc.getByText('待审核', { exact: true }).waitFor();
  const draftUrl = acc.url();
  assert.deepEqual(acc.errors, []);

  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.goto(draftUrl);
  await rev.getByRole('button', { name: '审核通过并公开' }).click();
  await rev.getByText('已公开', { exact: true }).waitFor();

  const reader = await phone(browser);
  await reader.goto(`${server.base}disclosures/${VILLAGE}`);
  const board = await reader.locator('main').innerText();
  assert.match(board, /更正 漏记车费 180 元，补记/);
  assert.match(board, /这一版已更正，请看新版本/);
  await reader.locator('article.entry', { hasText: '漏记车费' }).first().scrollIntoViewIfNeeded();
  await shot(reader, 'catalogue-correction');
});
