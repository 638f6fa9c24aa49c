// The heart of the product, end to end: the accountant enters a line with an invoice
// photo, the township reviewer seals it and publishes the month, the villager sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, todayInChina, monthsAgo } from './harness.mjs';

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

/** A camera-sized JPEG "invoice", drawn by the browser itself. */
async function invoicePhoto(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1800;
    const x = c.getContext('2d');
    x.fillStyle = '#fffdf5';
    x.fillRect(0, 0, c.width, c.height);
    x.strokeStyle = '#b3261e';
    x.lineWidth = 12;
    x.strokeRect(60, 60, c.width - 120, c.height - 120);
    x.fillStyle = '#222';
    x.font = '120px sans-serif';
    x.fillText('增值税普通发票', 300, 350);
    x.fillText('金额 ¥ 456.70', 300, 700);
    return c.toDataURL('image/jpeg', 0.95).split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

test('a line goes from the accountant through the township seal to the villager', async () => {
  // The accountant enters this month's line.
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.getByRole('link', { name: '录入本月账目' }).click();
  await acc.getByRole('heading', { name: '录入一笔' }).waitFor();
  const month = new URL(acc.url()).pathname.split('/').pop();
  // A new line starts at today, and the form says which dates the month allows.
  assert.equal(await acc.getByLabel('日期').inputValue(), todayInChina());
  await acc.getByText(`可填日期：${month}-01 至 ${todayInChina()}`).first().waitFor();
  await acc.getByLabel('金额（元）').fill('456.70');
  await acc.getByLabel('科目').selectOption('办公费');
  await acc.getByLabel('收付款方', { exact: true }).fill('云溪文具店');
  await acc.getByLabel('发票号').fill('INV-20261103');
  await acc.getByRole('button', { name: '保存' }).click();
  const line = acc.locator('li.line', { hasText: '云溪文具店' });
  await line.waitFor();
  assert.match(await line.innerText(), /456\.70/);
  // Saved, the line is brought into view, and says it is not yet submitted.
  await acc.waitForFunction(() => {
    const el = [...document.querySelectorAll('li.line')].find((l) => l.textContent.includes('云溪文具店'));
    const r = el?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < innerHeight - 100;
  });
  assert.match(await line.innerText(), /未提交审核/);
  assert.doesNotMatch(await line.innerText(), /待审核/);
  // A bad amount is named, with the form it should take, before anything is sent.
  await acc.getByLabel('金额（元）').fill('1 2 3');
  await acc.getByLabel('收付款方', { exact: true }).fill('某店');
  await acc.getByRole('button', { name: '保存' }).click();
  assert.match(await acc.getByRole('alert').innerText(), /应写成 1234\.50 或 1,234\.50/);
  assert.equal(await acc.locator('li.line', { hasText: '某店' }).count(), 0);
  // The invoice photo, shrunk in the phone before it leaves.
  const photo = await invoicePhoto(acc);
  await line.locator('input[type=file]').setInputFiles({ name: 'invoice.jpg', mimeType: 'image/jpeg', buffer: photo });
  await line.locator('img').waitFor();
  // The 2400 px photo left the phone at 2048 px (the server keeps up to 4096 px).
  const stored = await acc.evaluate(async (m) => {
    const res = await fetch(`api/regions/359901101201/ledger/${m}`);
    return (await res.json()).lines.flatMap((l) => l.attachments);
  }, month);
  assert.deepEqual([stored[0].width, stored[0].height], [2048, 1536]);
  // A small cash spending without an invoice is marked so.
  await acc.getByLabel('金额（元）').fill('30');
  await acc.getByLabel('收付款方', { exact: true }).fill('镇上打印店');
  await acc.getByRole('button', { name: '保存' }).click();
  const cash = acc.locator('li.line', { hasText: '镇上打印店' });
  await cash.waitFor();
  assert.match(await cash.innerText(), /无发票/);
  assert.doesNotMatch(await line.innerText(), /无发票/);
  await shot(acc, 'accountant-line-with-photo');
  // This month has not ended: submitting it now is an early close, said and confirmed.
  await acc.getByRole('button', { name: '提交乡镇审核' }).click();
  await acc.getByRole('alert').getByText('本月还没结束').waitFor();
  acc.once('dialog', (d) => d.accept());
  await acc.getByRole('button', { name: '提前结账并提交' }).click();
  await acc.getByText('待审核').first().waitFor();
  await acc.getByText('提前结账：本月在月底前提交审核').waitFor();

  // The reviewer seals it and publishes the month.
  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.getByRole('link', { name: '打开审核队列' }).click();
  await rev.getByRole('link', { name: new RegExp(`上坪村 · ${month}`) }).click();
  const pending = rev.locator('li.line', { hasText: '云溪文具店' });
  await pending.getByRole('button', { name: '审核通过并盖章' }).click();
  await rev.locator('li.line', { hasText: '云溪文具店' }).locator('.stamp').waitFor();
  // No one-tap seal without an invoice: the reason comes first, and villagers read it.
  const cashLine = rev.locator('li.line', { hasText: '镇上打印店' });
  assert.match(await cashLine.innerText(), /无发票/);
  await cashLine.getByRole('button', { name: '无发票，写明理由后盖章' }).click();
  await cashLine.getByLabel('无发票盖章理由（村民可见）').fill('小额现金支出，有收款人签字的收条');
  await cashLine.getByRole('button', { name: '审核通过并盖章' }).click();
  await cashLine.locator('.stamp').waitFor();
  // Publishing asks first; a dismissed question publishes nothing.
  rev.once('dialog', (d) => d.dismiss());
  await rev.getByRole('button', { name: '公开本月账目' }).click();
  assert.equal(await rev.getByText('已公开').count(), 0);
  rev.once('dialog', (d) => d.accept());
  await rev.getByRole('button', { name: '公开本月账目' }).click();
  await rev.getByText('已公开').first().waitFor();
  await shot(rev, 'reviewer-sealed');

  // The villager sees the month, the seal, and the photo.
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.getByRole('link', { name: new RegExp(month) }).click();
  const seen = villager.locator('li.line', { hasText: '云溪文具店' });
  await seen.waitFor();
  assert.match(await seen.locator('.stamp').innerText(), /桃源镇\s*已审核/);
  // The seal's words are body-sized, not small print.
  assert.ok(parseFloat(await seen.locator('.stamp').evaluate((e) => getComputedStyle(e).fontSize)) >= 18);
  assert.match(await seen.innerText(), /黄审核/);
  await seen.locator('img').waitFor();
  assert.equal(await seen.locator('img').getAttribute('loading'), 'lazy');
  const cashSeen = villager.locator('li.line', { hasText: '镇上打印店' });
  assert.match(await cashSeen.innerText(), /无发票[\s\S]*小额现金支出，有收款人签字的收条/);
  await villager.getByText('提前结账：本月在月底前提交审核').waitFor();
  await shot(villager, 'villager-month-sealed');
  await seen.getByRole('button', { name: '发票' }).click();
  await villager.getByRole('dialog').locator('img').waitFor();
  await shot(villager, 'villager-invoice-full');
  assert.deepEqual(villager.errors, []);
});

test('a villager reads a published month with its chart and masked names', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  await page.locator('ul.months a').nth(1).click();
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  // The demo's recent months carry their invoice photos.
  await page.locator('li.line img').first().waitFor();
  const text = await page.locator('.content').innerText();
  assert.match(text, /结余/);
  // Allowance and labour recipients are private persons: their names are masked.
  assert.match(text, /林\*兰|吴\*生|陈\*强/);
  assert.doesNotMatch(text, /林桂兰|吴海生|陈国强/);
  await shot(page, 'villager-month');
});

test('the accountant imports a month: row errors first, then all lines at once', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000002');
  // Two years back: open for entry (back-entry of old accounts), and not in the demo data.
  const m = monthsAgo(24);
  await page.goto(server.base + `staff/ledger/359901101201/${m}`);
  await page.getByRole('heading', { name: '从 Excel 或 CSV 文件导入' }).waitFor();
  const header = '日期,收支,金额,科目,收付款方,是否个人,发票号,备注\n';
  const bad = header + `${m}-05,支出,120.5,办公费,云溪文具店,否,INV-1,\n${m}-06,支出,3.141,水电费,供电公司,否,,\n`;
  await page.getByLabel('从 Excel 或 CSV 文件导入').setInputFiles({ name: 'month.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /第 3 行：金额应写成 1234\.50/);
  await shot(page, 'import-ledger-row-errors');
  assert.equal(await page.locator('li.line').count(), 0, 'nothing saved');
  // A quoted note may hold a line break.
  const good = header + `${m}-05,支出,120.5,办公费,云溪文具店,否,INV-1,"打印纸\n墨盒"\n${m}-06,收入,3000,上级拨款,镇财政所,否,,\n`;
  await page.getByLabel('从 Excel 或 CSV 文件导入').setInputFiles({ name: 'month.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByText('已导入笔数：2').waitFor();
  await page.locator('li.line', { hasText: '镇财政所' }).waitFor();
  assert.equal(await page.locator('li.line').count(), 2);
});

test('a villager asks about a line and the accountant answers on record', async () => {
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.locator('ul.months a').nth(2).click();
  const first = villager.locator('li.line').first();
  await first.getByRole('button', { name: '对这笔账提问' }).click();
  // The box opens with the cursor in it, several lines tall, clear of the tab bar.
  const box = first.getByLabel('您的问题（不显示您的名字）');
  await box.waitFor();
  const where = await villager.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName, rows: el.rows, bottom: el.getBoundingClientRect().bottom,
      bar: document.querySelector('.tabs').getBoundingClientRect().top };
  });
  assert.equal(where.tag, 'TEXTAREA');
  assert.ok(where.rows >= 3);
  assert.ok(where.bottom <= where.bar, `the box (bottom ${where.bottom}) above the tab bar (${where.bar})`);
  await box.fill('这笔钱具体买了什么？\n发票上写的是办公用品。');
  await first.getByRole('button', { name: '提交' }).click();
  await villager.getByText('等待报账员回答').waitFor();
  const path = new URL(villager.url()).pathname.replace(/^\//, '');

  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(server.base + 'staff/' + path);
  await acc.getByLabel('回答').fill('打印纸十包、墨盒两个，发票已附。');
  await acc.getByRole('button', { name: '提交' }).click();
  await acc.getByText('答：打印纸十包').waitFor();

  await villager.reload();
  await villager.getByText('答：打印纸十包、墨盒两个，发票已附。').waitFor();
  await shot(villager, 'villager-question-answered');
});

test('a villager votes on a one-question poll in three taps', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  await page.getByRole('link', { name: '投票', exact: true }).click();
  await page.getByRole('link', { name: /村部门前路灯改造方案/ }).click(); // tap 1
  await page.getByRole('button', { name: '同意', exact: true }).click(); // tap 2
  await shot(page, 'poll-ballot');
  await page.getByRole('button', { name: '投票', exact: true }).click(); // tap 3
  await page.getByText('已投票').first().waitFor();
  await shot(page, 'poll-voted');
  // Another member of the same household cannot vote again.
  const cadre = await phone(browser);
  await signIn(cadre, server.base, '13800000003');
  await cadre.getByRole('link', { name: '投票', exact: true }).click();
  await cadre.getByRole('link', { name: /村部门前路灯改造方案/ }).click();
  await cadre.getByRole('heading', { name: /村部门前路灯改造方案/ }).waitFor();
  assert.equal(await cadre.getByRole('button', { name: '同意', exact: true }).count(), 1, 'household 002 has not voted yet');
  assert.deepEqual(page.errors, []);
});

test('a cadre starts a poll from the workbench and attaches its plan', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000003');
  // Polls have their own entry in the workbench, not under the household list.
  await page.goto(server.base + 'staff/work');
  await page.getByRole('link', { name: '投票与征求意见' }).first().click();
  await page.getByRole('heading', { name: '发起投票' }).waitFor();
  await page.getByLabel('标题').fill('文化广场选址');
  await page.getByLabel('问题', { exact: true }).fill('文化广场建在哪里？');
  await page.getByLabel('选项（每行一个）').fill('村委会旁\n小学对面\n河边空地');
  await page.getByRole('button', { name: '发起投票' }).click();
  await page.waitForURL(/\/staff\/polls\//);
  await page.getByRole('heading', { name: /文化广场选址/ }).waitFor();
  const plan = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 800; c.height = 600;
    const x = c.getContext('2d');
    x.fillStyle = '#eef'; x.fillRect(0, 0, 800, 600);
    x.fillStyle = '#000'; x.font = '48px sans-serif'; x.fillText('选址示意图', 200, 300);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  await page.locator('#poll-doc').setInputFiles({ name: 'plan.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(plan, 'base64') });
  await page.locator('.thumbs img').waitFor();
  // The poll says how many may vote.
  await page.getByText('可以投票的农户（开始时已在本村登记）：').waitFor();
  // Results after closing: no export before then, for staff too.
  assert.equal(await page.getByRole('link', { name: '导出结果（Excel）' }).count(), 0);
  await shot(page, 'staff-poll-created');
  // Once a household has voted, no document can be added: voters saw what was there.
  const pollPath = new URL(page.url()).pathname.replace(/^.*\/staff\//, '');
  const voter = await phone(browser);
  await signIn(voter, server.base, '13800000001');
  await voter.goto(server.base + pollPath + '?app');
  await voter.getByRole('button', { name: '小学对面', exact: true }).click();
  await voter.getByRole('button', { name: '投票', exact: true }).click();
  await voter.getByText('已投票').first().waitFor();
  await page.locator('#poll-doc').setInputFiles({ name: 'plan2.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(plan, 'base64') });
  await page.getByRole('alert').getByText('已经有人投票，不能再添加材料').waitFor();
  assert.equal(await page.locator('.thumbs img').count(), 1);
});

test('spending found after publication goes in as a correction, sealed and shown beside the month', async () => {
  const m = monthsAgo(2);
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(server.base + `staff/ledger/359901101201/${m}`);
  await acc.getByText('原账不再改动').waitFor();
  await acc.getByRole('button', { name: '录入更正' }).click();
  // The reason is required: an empty one is named.
  await acc.getByRole('button', { name: '录入更正' }).click();
  await acc.getByRole('alert').filter({ hasText: '原因' }).waitFor();
  await acc.getByLabel('更正原因').fill('电费单月底后才送到，补记');
  await acc.getByRole('button', { name: '录入更正' }).click();
  const correction = acc.locator('section.correction');
  await correction.getByRole('heading', { name: /更正1/ }).waitFor();
  await correction.getByLabel('日期').fill(`${m}-27`);
  await correction.getByLabel('金额（元）').fill('86.40');
  await correction.getByLabel('科目').selectOption('水电费');
  await correction.getByLabel('收付款方', { exact: true }).fill('县供电公司');
  await correction.getByRole('button', { name: '保存' }).click();
  await correction.locator('li.line', { hasText: '县供电公司' }).waitFor();
  await correction.getByRole('button', { name: '提交乡镇审核' }).click();
  await correction.getByText('待审核').first().waitFor();

  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.getByRole('link', { name: '打开审核队列' }).click();
  await rev.getByRole('link', { name: new RegExp(`上坪村 · ${m} · 更正1`) }).click();
  const line = rev.locator('section.correction li.line', { hasText: '县供电公司' });
  await line.getByRole('button', { name: '无发票，写明理由后盖章' }).click();
  await line.getByLabel('无发票盖章理由（村民可见）').fill('供电公司统一开票，已核对缴费记录');
  await line.getByRole('button', { name: '审核通过并盖章' }).click();
  await line.locator('.stamp').waitFor();
  rev.once('dialog', (d) => d.accept());
  await rev.getByRole('button', { name: '公开此更正' }).click();
  await rev.locator('section.correction').getByText('已公开').waitFor();

  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  await villager.goto(server.base + `ledger/359901101201/${m}`);
  const seen = villager.locator('section.correction');
  await seen.getByText('电费单月底后才送到，补记').waitFor();
  assert.match(await seen.locator('li.line').innerText(), /86\.40[\s\S]*县供电公司[\s\S]*供电公司统一开票/);
  await seen.locator('.stamp').waitFor();
  await villager.getByRole('heading', { name: '更正后合计' }).waitFor();
  // The month's own totals are as first published; the corrected ones add the line.
  const totals = await villager.locator('.totals').allInnerTexts();
  const spent = (t) => Number(t.match(/支出\s*¥([\d,.]+)/)[1].replaceAll(',', ''));
  assert.equal(Math.round((spent(totals[1]) - spent(totals[0])) * 100), 8640);
  await seen.scrollIntoViewIfNeeded();
  await shot(villager, 'villager-month-corrected');
  assert.deepEqual(villager.errors, []);
  assert.deepEqual(acc.errors, []);
});

test('a month opens in one round trip: its accounts are asked for beside the session, not after it', async () => {
  const page = await phone(browser);
  await signIn(page, server.base, '13800000001');
  const m = monthsAgo(2);
  const events = [];
  // The session's answer is held back; the month's request must not wait for it.
  await page.route('**/api/session', async (route) => {
    events.push('session asked');
    await new Promise((r) => setTimeout(r, 1500));
    events.push('session answered');
    await route.continue();
  });
  page.on('request', (r) => { if (r.url().includes(`/api/regions/359901101201/ledger/${m}`)) events.push('month asked'); });
  await page.goto(server.base + `ledger/359901101201/${m}?app`);
  await page.getByRole('heading', { name: '支出构成' }).waitFor();
  assert.ok(events.indexOf('month asked') >= 0 && events.indexOf('month asked') < events.indexOf('session answered'), events.join(', '));
});

test('a returned line goes back for review with one tap once it is put right', async () => {
  const m = monthsAgo(26);
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  await acc.goto(server.base + `staff/ledger/359901101201/${m}`);
  await acc.getByRole('heading', { name: '录入一笔' }).waitFor();
  // A past month: the new line starts at its last day.
  assert.match(await acc.getByLabel('日期').inputValue(), new RegExp(`^${m}-(28|29|30|31)$`));
  await acc.getByLabel('金额（元）').fill('88');
  await acc.getByLabel('收付款方', { exact: true }).fill('清水百货');
  await acc.getByLabel('发票号').fill('INV-88');
  await acc.getByRole('button', { name: '保存' }).click();
  const line = acc.locator('li.line', { hasText: '清水百货' });
  await line.waitFor();
  await acc.getByRole('button', { name: '提交乡镇审核' }).click();
  await line.getByText('待审核').waitFor();

  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  await rev.goto(server.base + `staff/ledger/359901101201/${m}`);
  const pending = rev.locator('li.line', { hasText: '清水百货' });
  await pending.getByRole('button', { name: '退回' }).click();
  await pending.getByLabel('退回原因').fill('请补拍发票照片');
  await pending.getByRole('button', { name: '退回' }).last().click();
  await pending.getByText('被退回').waitFor();

  await acc.reload();
  await line.getByText('请补拍发票照片').waitFor();
  await line.getByRole('button', { name: '已改好，重新提交审核' }).click();
  await line.getByText('待审核').waitFor();
  assert.equal(await line.getByText('被退回').count(), 0);
  assert.deepEqual(acc.errors, []);
});
