// What people do on the first screens, in a real browser at phone size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, scrollsSideways } from './harness.mjs';

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

test('a villager signs in and sees their village and the five tabs', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  for (const tab of ['公开', '诉求', '举报', '投票', '我的']) {
    assert.ok(await page.getByRole('link', { name: tab, exact: true }).isVisible(), tab);
  }
  await shot(page, 'villager-home');
  // 诉求 opens the demands page (a bundle of its own) with its form a tap away.
  await page.getByRole('link', { name: '诉求', exact: true }).click();
  await page.getByRole('link', { name: '我要反映' }).waitFor();
  assert.equal(await page.getByText('功能建设中').count(), 0, 'no more "not open yet"');
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.getByText('村民 · 上坪村').waitFor();
  assert.ok(await page.getByText('13800000001').isVisible(), 'own number unmasked');
  await shot(page, 'villager-me');
  assert.deepEqual(page.errors, []);
});

test('the sign-in page asks nothing of the server it would refuse, and leads to reporting without an account', async () => {
  const page = await phone(browser);
  const console = [];
  page.on('console', (m) => { if (m.type() === 'error') console.push(m.text()); });
  const refused = [];
  page.on('response', (r) => { if (r.status() >= 400) refused.push(`${r.status()} ${r.url()}`); });
  await page.goto(server.base + 'login');
  await page.getByLabel('手机号').waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(refused, [], 'no refused request');
  assert.deepEqual(console, [], 'nothing in the console');
  await page.getByRole('link', { name: '不用账号，也可以向纪委监委实名或匿名举报' }).click();
  await page.getByRole('link', { name: '我要举报' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('a wrong password shows the message and keeps the form', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001', 'not-my-password');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /手机号或密码不正确/);
  assert.equal(await page.getByLabel('手机号').inputValue(), '13800000001');
  await shot(page, 'sign-in-wrong-password');
});

test('a cadre issues an invite code and a new villager signs up with it', async () => {
  const cadre = await phone(browser);
  await signIn(cadre, server.base, '13800000003');
  await cadre.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await cadre.getByRole('link', { name: '我的', exact: true }).click();
  await cadre.getByRole('link', { name: '进入工作台' }).click();
  await cadre.getByRole('link', { name: '管理' }).click();
  await cadre.getByRole('heading', { name: '农户', exact: true }).waitFor();
  const row = cadre.locator('ul.rows li', { hasText: '010' });
  await row.getByRole('button', { name: '发邀请码' }).click();
  const code = (await cadre.getByTestId('issued-code').innerText()).trim();
  assert.match(code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await shot(cadre, 'cadre-issued-invite');
  await cadre.getByRole('heading', { name: '邀请码', exact: true }).waitFor();
  assert.ok(await cadre.locator('section', { hasText: '邀请码' }).getByText('户号 010').first().isVisible());

  const newcomer = await phone(browser);
  await newcomer.goto(server.base + 'login');
  await newcomer.getByRole('link', { name: '还没有账号？用邀请码注册' }).click();
  await newcomer.getByLabel('邀请码').fill(code.toLowerCase());
  await newcomer.getByLabel('姓名').fill('王小明');
  await newcomer.getByLabel('手机号').fill('13712345678');
  await newcomer.getByLabel('密码').fill('my-good-password');
  await shot(newcomer, 'register-filled');
  await newcomer.getByRole('button', { name: '注册' }).click();
  await newcomer.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await shot(newcomer, 'register-done');
  assert.deepEqual(newcomer.errors, []);
});

test('an admin creates a staff account in a township', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000009');
  await page.getByRole('link', { name: '管理' }).click();
  await page.getByRole('link', { name: /清水县/ }).click();
  // The county's ledger categories, one per line, start from the default list.
  const categories = page.getByLabel('账目科目');
  await categories.waitFor();
  await page.waitForFunction(() => document.querySelector('#categories')?.value.includes('办公费'));
  await categories.fill('办公费\n工程款\n道路养护');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.getByText('已保存').waitFor();
  await page.getByRole('link', { name: /白沙镇/ }).click();
  await page.getByRole('heading', { name: '新建工作人员账号' }).waitFor();
  await page.getByLabel('角色').selectOption('reviewer');
  await page.getByLabel('姓名').fill('何审核');
  await page.getByLabel('手机号').fill('13300000001');
  await page.getByLabel('初始密码').fill('reviewer-pass');
  await page.getByRole('button', { name: '创建' }).click();
  await page.getByText('已创建 何审核 · 133****0001').waitFor();
  await shot(page, 'admin-created-staff');
  // Down to a village: the admin issues an invite code there too.
  await page.getByRole('link', { name: /沙洲村/ }).click();
  await page.getByRole('heading', { name: '农户', exact: true }).waitFor();
  await page.locator('ul.rows li', { hasText: '003' }).getByRole('button', { name: '发邀请码' }).click();
  assert.match((await page.getByTestId('issued-code').innerText()).trim(), /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await shot(page, 'admin-issued-invite');
});

test('a household import from an Excel (GBK) CSV: row errors first, then all at once', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000009');
  await page.goto(server.base + 'staff/admin/359901102202');
  await page.getByRole('heading', { name: '农户', exact: true }).waitFor();
  // "户号,户主姓名 / 201,张三 / ,李四" as Excel on Chinese Windows saves it (GBK).
  const gbk = (hex) => Buffer.from(hex.replace(/ /g, ''), 'hex');
  const header = 'bba7bac5 2c bba7d6f7d0d5c3fb 0a';
  const bad = gbk(header + '3230312c d5c5c8fd 0a 2c c0eecbc4 0a');
  await page.getByLabel('从 CSV 文件导入').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: bad });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /第 3 行：户号不能为空/);
  await shot(page, 'import-row-errors');
  assert.equal(await page.locator('ul.rows li', { hasText: '张三' }).count(), 0, 'nothing saved');
  const good = gbk(header + '3230312c d5c5c8fd 0a 3230322c c0eecbc4 0a');
  await page.getByLabel('从 CSV 文件导入').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: good });
  await page.getByText('已导入农户：2').waitFor();
  await page.locator('ul.rows li', { hasText: '李四' }).waitFor();
  assert.ok(await page.locator('ul.rows li', { hasText: '201 张三' }).isVisible());
});

test('screens fit 320 px with care-mode text and large-text mode', async () => {
  const page = await phone(browser, { viewport: { width: 320, height: 640 } });
  await page.goto(server.base + 'register');
  await page.getByLabel('邀请码').waitFor();
  // WeChat's care mode scales text to about 140%.
  await page.evaluate(() => { document.documentElement.style.fontSize = '140%'; });
  assert.equal(await scrollsSideways(page), false, 'register page at 140%');
  await signIn(page, server.base, '13800000003');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.getByRole('button', { name: '开', exact: true }).click();
  await page.evaluate(() => { document.documentElement.style.fontSize = 'calc(22px * 1.4)'; });
  assert.equal(await scrollsSideways(page), false, 'me page, large text at 140%');
  // The tab labels stay whole words, side by side, none running into the next.
  const tabs = await page.evaluate(() => [...document.querySelectorAll('.tabs a')].map((a) => {
    const r = a.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(a);
    const t = range.getBoundingClientRect();
    return { label: a.textContent, left: r.left, right: r.right, textLeft: t.left, textRight: t.right, lines: range.getClientRects().length };
  }));
  for (const [i, t] of tabs.entries()) {
    assert.equal(t.lines, 1, `${t.label} on one line`);
    assert.ok(t.textLeft >= t.left && t.textRight <= t.right, `${t.label} inside its tab`);
    if (i > 0) assert.ok(t.left >= tabs[i - 1].right - 0.5, `${t.label} after ${tabs[i - 1].label}`);
  }
  assert.ok(tabs.at(-1).right <= 320.5, `all five tabs on the screen (last ends at ${tabs.at(-1).right})`);
  await shot(page, 'me-320-large-140');
  // Large-text mode: every tap target on this screen is at least 60 px tall.
  await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
  const small = await page.evaluate(() => [...document.querySelectorAll('.content button, .content a, .content input')]
    .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 60));
  assert.deepEqual(small, [], 'tap targets under 60 px in large-text mode');
  await page.goto(server.base + 'staff/admin/359901101201');
  await page.getByRole('heading', { name: '农户', exact: true }).waitFor();
  await page.evaluate(() => { document.documentElement.style.fontSize = 'calc(22px * 1.4)'; });
  assert.equal(await scrollsSideways(page), false, 'admin page, large text at 140%');
  await shot(page, 'admin-320-large-140');
  // Back to normal size; targets elsewhere are at least 44 px.
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.getByRole('button', { name: '关', exact: true }).click();
  await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
  const tiny = await page.evaluate(() => [...document.querySelectorAll('button, .tabs a, input')]
    .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44));
  assert.deepEqual(tiny, [], 'tap targets under 44 px');
});

/** The words the app itself puts on the screen (controls, headings it names, tags, hints,
 * tabs), which must all be English in English; names, questions and categories are data. */
function chineseChrome() {
  const cjk = /[\u4e00-\u9fff]/;
  const own = (el) => [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
  return [...document.querySelectorAll('button:not(.choice), label, .tabs a, .tag, .hint, .empty, th, summary, .totals span, .legend')]
    .filter((el) => el.getBoundingClientRect().width > 0 && cjk.test(own(el)))
    .map((el) => `${el.tagName.toLowerCase()}: ${own(el).slice(0, 30)}`);
}

test('the language switch turns every screen of both bundles to English and back', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000003');
  await page.goto(server.base + 'me');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await shot(page, 'me-english');
  // Every screen of the villagers' bundle, then of the workbench, in English.
  const lastMonth = new Date(Date.now() + 8 * 3600e3 - 40 * 86400e3).toISOString().slice(0, 7);
  const screens = ['', 'demands', 'reports', 'polls', 'ledger/359901101201?app', `ledger/359901101201/${lastMonth}?app`,
    'staff/work', 'staff/admin/359901101201', 'staff/admin/359901101201/polls', 'staff/ledger/359901101201',
    `staff/ledger/359901101201/${lastMonth}`];
  for (const path of screens) {
    await page.goto(server.base + path);
    await page.locator('.tabs a').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', path);
    assert.deepEqual(await page.evaluate(chineseChrome), [], `${path || 'home'} in English`);
  }
  const poll = page.locator('a[href*="polls/"]').first();
  await page.goto(server.base + 'polls');
  await poll.click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(await page.evaluate(chineseChrome), [], 'a poll in English');
  await shot(page, 'poll-english');
  await page.goto(server.base + 'me');
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('button', { name: '登录' }).waitFor();
});

test('offline: the page says so', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await page.context().setOffline(true);
  await page.getByText('网络已断开').waitFor();
  await shot(page, 'offline');
  await page.context().setOffline(false);
});

test('a browser without WebAssembly gets a plain message, not a blank page, and downloads no module', async () => {
  const page = await phone(browser);
  const fetched = [];
  page.on('request', (r) => { if (/\.(wasm|js)$/.test(new URL(r.url()).pathname)) fetched.push(r.url()); });
  await page.addInitScript(() => { delete window.WebAssembly; });
  await page.goto(server.base);
  await page.getByText('您的微信或浏览器版本过旧').waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(fetched, [], 'neither the module nor its loader was fetched');
  await shot(page, 'no-wasm');
});

test('a deep link under the router works after a reload', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000009');
  await page.goto(server.base + 'staff/admin/359902000000');
  await page.getByRole('heading', { name: '石门县 · 县（区）' }).waitFor();
  assert.ok(await page.getByRole('link', { name: /龙潭乡/ }).isVisible());
  await page.reload();
  await page.getByRole('heading', { name: '石门县 · 县（区）' }).waitFor();
});
