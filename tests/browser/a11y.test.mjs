// Checks that hold on every screen for elderly eyes: each input has a label, and text
// contrasts with its background at 4.5:1 or more (WCAG AA, China's elderly-friendly rules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, scrollsSideways, axeViolations } from './harness.mjs';

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

/** Every visible text element whose contrast is under 4.5:1, and every unlabelled input. */
function audit() {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  // The colour behind an element: the first ancestor with an opaque background.
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || el.closest('svg')) continue;
    const fg = rgb(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(behind(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName} "${el.textContent.trim().slice(0, 20)}" ${ratio.toFixed(2)}`);
  }
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map((el) => el.id || el.name || el.type);
  return { low, unlabelled };
}

async function check(page, what) {
  const { low, unlabelled } = await page.evaluate(audit);
  assert.deepEqual(low, [], `${what}: text under 4.5:1`);
  assert.deepEqual(unlabelled, [], `${what}: inputs without a label`);
  assert.deepEqual(await axeViolations(page), [], `${what}: axe`);
}

test('contrast and labels on the villagers\' and the staff screens', async () => {
  const page = await phone(browser);
  await page.goto(server.base + 'login');
  await page.getByLabel('手机号').waitFor();
  // The audit itself can fail: a grey-on-white line and a bare input are caught.
  const probe = await page.evaluate((fn) => {
    document.body.insertAdjacentHTML('beforeend', '<p id="probe" style="color:#aaa">低对比</p><input id="bare">');
    const found = eval(`(${fn})`)();
    document.getElementById('probe').remove();
    document.getElementById('bare').remove();
    return found;
  }, audit.toString());
  assert.ok(probe.low.some((l) => l.includes('低对比')), JSON.stringify(probe));
  assert.deepEqual(probe.unlabelled, ['bare']);
  await check(page, 'sign in');
  await page.goto(server.base + 'register');
  await page.getByLabel('邀请码').waitFor();
  await check(page, 'register');
  await signIn(page, server.base, '13800000001', 'wrong-password');
  await page.getByRole('alert').waitFor();
  await check(page, 'sign-in error');
  await signIn(page, server.base, '13800000001');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await check(page, 'villager home');
  await page.locator('ul.months a').first().click();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  await check(page, 'month');
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.getByRole('button', { name: '开', exact: true }).waitFor();
  await check(page, 'me');
  const staff = await phone(browser);
  await signIn(staff, server.base, '13800000002');
  await staff.getByRole('link', { name: '录入本月账目' }).click();
  await staff.getByRole('heading', { name: '录入一笔' }).waitFor();
  await check(staff, 'accountant month');
  await signIn(staff, server.base, '13800000009');
  await staff.goto(server.base + 'staff/admin/359901101201');
  await staff.getByRole('heading', { name: '农户', exact: true }).waitFor();
  await check(staff, 'admin village');
  // Private reports: the villager's tab, the form (both ways of reporting), the follow-up,
  // and the inspector's first visit to the office.
  await page.getByRole('link', { name: '举报', exact: true }).click();
  await page.getByRole('link', { name: '我要举报' }).waitFor();
  await check(page, 'reports tab');
  const filer = await phone(browser, { viewport: { width: 320, height: 640 } });
  await filer.goto(server.base + 'report/new');
  await filer.getByLabel('实名举报').check();
  await filer.getByLabel('身份证号').waitFor();
  await check(filer, 'report form');
  assert.equal(await scrollsSideways(filer), false, 'the report form fits 320 px');
  await filer.goto(server.base + 'report/follow');
  await filer.getByLabel('查询码').fill('not a code');
  await filer.getByRole('button', { name: '查询' }).click();
  await filer.getByRole('alert').waitFor();
  await check(filer, 'follow-up error');
  const inspector = await phone(browser);
  await signIn(inspector, server.base, '13800000007');
  await inspector.goto(server.base + 'office/359901000000');
  await inspector.getByRole('heading', { name: '设置纪检口令' }).waitFor();
  await check(inspector, 'office enrolment');
});

test('the demands\' screens pass the same checks', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.goto(server.base + 'demands');
  await page.getByRole('heading', { name: '本村的诉求' }).waitFor();
  await page.locator('ul.demands li').first().waitFor();
  await check(page, 'demands');
  await page.goto(server.base + 'demands/new');
  await page.getByLabel('您要反映的事').fill('村口的路灯坏了，晚上看不见路');
  await page.getByLabel('具体事项').waitFor();
  await check(page, 'demand form');
  await page.goto(server.base + 'demands');
  await page.locator('ul.demands li a').first().click();
  await page.getByRole('heading', { name: '办理记录' }).waitFor();
  await check(page, 'one demand');
  // The same address opened afresh is the server's page.
  await page.goto(page.url());
  await page.getByRole('heading', { name: '办理记录' }).waitFor();
  await check(page, 'one demand, server page');
  const staff = await phone(browser);
  await signIn(staff, server.base, '13800000007');
  await staff.goto(server.base + 'staff/demands/359901000000?view=overdue');
  await staff.locator('ul.demands li').first().waitFor();
  await check(staff, 'overdue demands');
  await staff.goto(server.base + 'staff/demand-stats/359901000000');
  await staff.getByRole('heading', { name: '按类别' }).waitFor();
  await check(staff, 'demand dashboard');
});

test('the server\'s pages pass the same checks, and their charts\' labels grow with the text', async () => {
  const page = await phone(browser);
  await page.goto(server.base + 'ledger/359901101201');
  await page.getByRole('heading', { name: '每月收支' }).waitFor();
  await check(page, 'public year');
  await page.locator('ul.months a').first().click();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  await check(page, 'public month');
  await page.goto(server.base + 'poster/359901101201');
  await page.locator('.qr svg').waitFor();
  await check(page, 'poster');
  // Large-text mode: the month numbers under the chart and the category bars' labels are
  // text of the page, not of the drawing, so they grow with it.
  await page.goto(server.base + 'ledger/359901101201');
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('ol.axis li')).fontSize));
  const normal = await size();
  await page.evaluate(() => { localStorage.setItem('sunlight.large', '1'); });
  await page.reload();
  const large = await size();
  assert.ok(large >= 17 && large > normal, `axis labels ${normal} px, then ${large} px`);
  await page.locator('ul.months a').first().click();
  const bar = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('ul.hbars li span')).fontSize));
  assert.ok(bar >= 22, `category labels ${bar} px in large text`);
});

test('at 320 px with care-mode and large text, the report form fits and its buttons are 60 px', async () => {
  const filer = await phone(browser, { viewport: { width: 320, height: 640 } });
  await filer.goto(server.base + 'report/new');
  await filer.evaluate(() => { localStorage.setItem('sunlight.large', '1'); });
  await filer.reload();
  await filer.getByLabel('具体问题').waitFor();
  await filer.evaluate(() => { document.documentElement.style.fontSize = 'calc(22px * 1.4)'; });
  assert.equal(await scrollsSideways(filer), false, 'report form, large text at 140%');
  await filer.evaluate(() => { document.documentElement.style.fontSize = ''; });
  const small = await filer.evaluate(() => [...document.querySelectorAll('main a, main button, main label.button')]
    .filter((el) => el.getBoundingClientRect().width > 0)
    .map((el) => [el.textContent.trim().slice(0, 12), Math.round(el.getBoundingClientRect().width), Math.round(el.getBoundingClientRect().height)])
    .filter(([, w, h]) => w < 60 || h < 60));
  assert.deepEqual(small, [], 'tap targets under 60x60 px in large-text mode');
  await shot(filer, 'report-320-large');
});
