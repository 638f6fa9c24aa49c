// The villagers' financial oversight group (民主理财小组) from the phone: the cadre appoints
// a villager in the village's 管理 page; once the accountant submits a month and the
// township seals its lines, the member finds it in the 诉求 tab, reads it on the month's
// page and signs it; the township can publish it only then, and the month's page shows
// who signed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, todayInChina } from './harness.mjs';

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

/** A JSON request from the page, with its session; answers [status, body]. */
function call(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const res = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', 'x-sunlight': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return [res.status, text ? JSON.parse(text) : null];
  }, [method, path, body]);
}

test('a member of the group signs the month before the township publishes it', async () => {
  const cadre = await phone(browser);
  await signIn(cadre, server.base, '13800000003');
  await cadre.goto(`${server.base}staff/admin/${VILLAGE}`);
  await cadre.getByRole('heading', { name: '民主理财小组' }).waitFor();
  await cadre.getByText('还没有设民主理财小组').waitFor();
  await cadre.getByLabel(/本村村民的手机号/).fill('13800000001');
  await cadre.getByRole('button', { name: '加入小组' }).click();
  await cadre.locator('li', { hasText: '张秀英' }).waitFor();
  await shot(cadre, 'group-card');
  assert.deepEqual(cadre.errors, []);

  // This month, closed early, with one sealed line: waiting to be published.
  const month = todayInChina().slice(0, 7);
  const acc = await phone(browser);
  await signIn(acc, server.base, '13800000002');
  const ledger = `api/regions/${VILLAGE}/ledger/${month}`;
  const [created, line] = await call(acc, 'POST', `${ledger}/lines`, {
    date: todayInChina(), kind: 'income', amount: '3600', category: '集体收入',
    counterparty: '鱼塘承包户', counterparty_is_person: false, invoice_no: '', note: '鱼塘承包费',
  });
  assert.equal(created, 201);
  assert.equal((await call(acc, 'POST', `${ledger}/submit`, { close_early: true }))[0], 204);
  const rev = await phone(browser);
  await signIn(rev, server.base, '13800000004');
  assert.ok((await call(rev, 'POST', `api/ledger-lines/${line.id}/review`, { approve: true, reason: '' }))[0] < 300);
  const [refused, why] = await call(rev, 'POST', `${ledger}/publish`, {});
  assert.equal(refused, 422, 'not before the group signs');
  assert.equal(why.field, 'signatures');

  const member = await phone(browser);
  await signIn(member, server.base, '13800000001');
  await member.goto(`${server.base}demands`);
  await member.getByRole('heading', { name: /民主理财小组：待您审核签字/ }).waitFor();
  await member.locator('section', { hasText: '民主理财小组' }).getByRole('link', { name: new RegExp(month) }).click();
  await member.waitForURL((u) => u.pathname.endsWith(`/ledger/${VILLAGE}/${month}`));
  assert.match(await member.locator('main').innerText(), /鱼塘承包户/);
  await member.getByRole('link', { name: '审核签字' }).click();
  await member.waitForURL((u) => u.pathname.includes('/demands/sign/'));
  await member.getByLabel('同意公开').check();
  await member.getByLabel(/意见/).fill('收款凭证已核对。');
  await shot(member, 'group-sign');
  await member.getByRole('button', { name: '签字', exact: true }).click();
  await member.getByText('已签字').waitFor();
  assert.deepEqual(member.errors, []);

  assert.equal((await call(rev, 'POST', `${ledger}/publish`, {}))[0], 204);
  const reader = await phone(browser);
  await reader.goto(`${server.base}ledger/${VILLAGE}/${month}`);
  const page = await reader.locator('main').innerText();
  assert.match(page, /民主理财小组审核[\s\S]*张秀英[\s\S]*同意[\s\S]*收款凭证已核对/);
  await shot(reader, 'group-month');
});
