// Projects from the phone: anyone reads the demo's street-lighting works along its chain
// on the server-rendered page (at 390 and at 320 px in large text) and prints its sign with
// the QR code; a villager asks about a stage and the accountant answers it; the accountant
// opens a new project and records its first stage, which the township publishes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, scrollsSideways, todayInChina } from './harness.mjs';

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
const LIGHTS = '村道路灯安装工程';

test('anyone follows a project along its chain and prints its sign', async () => {
  const reader = await phone(browser);
  await reader.goto(`${server.base}disclosures/${VILLAGE}`);
  await reader.getByRole('heading', { name: '工程项目与资产处置' }).waitFor();
  await reader.getByRole('link', { name: LIGHTS }).click();
  await reader.waitForURL((u) => u.pathname.includes('/projects/'));
  const page = await reader.locator('main').innerText();
  assert.match(page, /进度 80%/);
  assert.match(page, /合同金额\s*¥268,000\.00/);
  assert.match(page, /已完成 立项/);
  assert.match(page, /进行中 施工/);
  assert.match(page, /未到 验收/);
  assert.match(page, /清水建筑队/, 'the payments from the accounts are listed');
  assert.ok((await reader.locator('article.entry img').count()) > 0, 'the building photo is shown');
  // No app: the one script is the log check, deferred until the page is shown.
  assert.deepEqual(await reader.locator('script[src]').evaluateAll((s) => s.map((e) => [e.getAttribute('src'), e.defer])), [['verify.js', true]]);
  await shot(reader, 'project-page');

  await reader.getByRole('link', { name: /打印工地公示牌/ }).click();
  await reader.waitForURL((u) => u.pathname.endsWith('/sign'));
  await reader.locator('.poster svg').waitFor();
  assert.match(await reader.locator('.poster').innerText(), new RegExp(LIGHTS));
  await shot(reader, 'project-sign');

  const narrow = await phone(browser, { viewport: { width: 320, height: 640 } });
  await narrow.goto(reader.url().replace(/\/sign$/, ''));
  await narrow.evaluate(() => document.documentElement.classList.add('large'));
  assert.equal(await scrollsSideways(narrow), false, 'no sideways scrolling at 320 px in large text');
  await shot(narrow, 'project-page-320');
});

test('a villager asks about a stage and the accountant answers', async () => {
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.goto(`${server.base}disclosures/${VILLAGE}`);
  await villager.getByRole('link', { name: LIGHTS }).click();
  await villager.waitForURL((u) => u.pathname.includes('/projects/'));
  const projectUrl = villager.url();
  await villager.getByRole('link', { name: '对这一步提问' }).last().click();
  await villager.waitForURL((u) => u.pathname.includes('/demands/ask/'));
  await villager.getByLabel('您的问题').fill('剩下 10 盏什么时候装？');
  await villager.getByRole('button', { name: '提交问题' }).click();
  await villager.getByText('已提交').waitFor();
  await shot(villager, 'project-ask');
  assert.deepEqual(villager.errors, []);
  await villager.goto(projectUrl);
  assert.match(await villager.locator('main').innerText(), /剩下 10 盏什么时候装？[\s\S]*等待村里回答/);

  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(`${server.base}staff/disclosures/${VILLAGE}`);
  await acc.getByRole('link', { name: new RegExp(LIGHTS) }).click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/project/'));
  await acc.getByRole('heading', { name: '记录下一步' }).waitFor();
  await shot(acc, 'project-staff');
  // The last stage, 80% built, carries the question.
  await acc.locator('ul.months a').last().click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/disclosure/'));
  await acc.getByLabel('回答').fill('下月 15 日前装完，届时公开验收。');
  await acc.getByRole('button', { name: '发送回答' }).click();
  await acc.getByText('答：下月 15 日前装完').waitFor();
  assert.deepEqual(acc.errors, []);
  await villager.goto(projectUrl);
  assert.match(await villager.locator('main').innerText(), /答：下月 15 日前装完/);
});

test('the accountant opens a project and records its approval, which the township publishes', async () => {
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(`${server.base}staff/disclosures/${VILLAGE}`);
  await acc.getByRole('heading', { name: '新建项目' }).waitFor();
  await acc.getByLabel('项目名称').fill('文化礼堂修缮');
  await acc.getByLabel(/预算（元）/).fill('150000');
  await acc.getByLabel(/项目概况/).fill('屋面翻修、门窗更换。');
  await acc.getByRole('button', { name: '建立项目' }).click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/project/'));
  await acc.getByRole('heading', { name: '记录下一步' }).waitFor();
  await acc.getByLabel('日期').fill(todayInChina());
  await acc.getByLabel(/说明/).fill('村民代表会议同意修缮。');
  await acc.getByRole('button', { name: '保存草稿' }).click();
  await acc.waitForURL((u) => u.pathname.includes('/staff/disclosure/'));
  await acc.getByRole('button', { name: '提交镇里审核' }).click();
  await acc.getByText('待审核', { exact: true }).waitFor();
  assert.deepEqual(acc.errors, []);

  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.goto(`${server.base}staff/work`);
  await rev.getByRole('link', { name: /公开事项待审核/ }).click();
  await rev.getByRole('link', { name: /文化礼堂修缮 · 立项/ }).click();
  await rev.getByRole('button', { name: '审核通过并公开' }).click();
  await rev.getByText('已公开', { exact: true }).waitFor();

  const reader = await phone(browser);
  await reader.goto(`${server.base}disclosures/${VILLAGE}`);
  await reader.getByRole('link', { name: '文化礼堂修缮' }).click();
  assert.match(await reader.locator('main').innerText(), /已完成 立项[\s\S]*村民代表会议同意修缮/);
});

test('a project read once stays readable offline, saying when it was saved, until sign-out', async () => {
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.goto(`${server.base}disclosures/${VILLAGE}`);
  // The page registers the service worker; from then on it keeps the reading pages.
  await villager.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await villager.getByRole('link', { name: LIGHTS }).click();
  await villager.waitForURL((u) => u.pathname.includes('/projects/'));
  const url = villager.url();
  // Each published stage is checked against the log once shown.
  const stages = await villager.locator('article.entry[data-log]').count();
  assert.ok(stages >= 2, `the stages carry what they show (${stages})`);
  await villager.waitForFunction((n) => document.querySelectorAll('.log-mark.ok').length === n, stages, { timeout: 60000 });
  await villager.context().setOffline(true);
  await villager.reload();
  await villager.getByText(/没有网络：这是 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 保存的内容/).waitFor();
  assert.match(await villager.locator('main').innerText(), /进度 80%/);
  // Offline the proofs cannot be fetched: the copy says it was verified when last fetched.
  await villager.waitForFunction((n) => [...document.querySelectorAll('.log-mark.ok')].filter((m) => m.textContent.includes('上次联网时的核验')).length === n, stages, { timeout: 30000 });
  await shot(villager, 'project-offline');
  await villager.context().setOffline(false);

  // Signed out in the app: the kept pages go with the session (phones are shared).
  await villager.goto(`${server.base}me`);
  await villager.getByRole('button', { name: '退出登录' }).click();
  await villager.waitForURL((u) => u.pathname.endsWith('/login'));
  assert.deepEqual(await villager.evaluate(async () => {
    const c = await caches.open('sunlight-pages-v1');
    return (await c.keys()).map((r) => r.url);
  }), []);
  await villager.context().setOffline(true);
  await assert.rejects(villager.goto(url));
});
