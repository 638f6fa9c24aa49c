// Private reports, end to end on phones: the township's inspector opens the office to
// reports, a migrant worker files anonymously with a photo and no account, follows up from
// another phone with the receipt code, and the inspector reads, answers and accepts it.
// Nothing the filer wrote reaches the server's log or data directory in the clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes, randomUUID, sign as cryptoSign } from 'node:crypto';
import { startServer, launch, phone, shot, signIn, fillReport } from './harness.mjs';

const MARKER = 'BROWSER-MARKER-上坪村修路款去向不明';
const PASSPHRASE = '桃源镇纪委 2026 口令';

let server;
let browser;
// The office's root fingerprint, as shown with the recovery code at set-up.
let rootFingerprint;
before(async () => {
  // Every request and every query logged, so the check below reads all the server says.
  server = await startServer([], { RUST_LOG: 'debug' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** A phone photo of an "invoice", drawn by the browser itself. */
async function photo(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1600;
    c.height = 1200;
    const x = c.getContext('2d');
    x.fillStyle = '#f4f1e8';
    x.fillRect(0, 0, c.width, c.height);
    x.fillStyle = '#222';
    x.font = '100px sans-serif';
    x.fillText('收据 ¥ 200000', 200, 500);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('an anonymous report goes from a phone to the township office and back', async () => {
  // The inspector sets a passphrase and opens the office to reports.
  const office = await phone(browser);
  await signIn(office, server.base, '13800000006');
  await office.getByRole('link', { name: '进入举报受理' }).click();
  await office.getByRole('heading', { name: '设置纪检口令' }).waitFor();
  await office.getByLabel('纪检口令').fill(PASSPHRASE);
  await office.getByLabel('再输入一次口令').fill(PASSPHRASE);
  await office.getByRole('button', { name: '保存' }).click();
  await office.getByRole('button', { name: '开通网上举报受理' }).click();
  const recovery = (await office.locator('.code.receipt').textContent()).trim();
  assert.equal(recovery.split(' ').length, 8, `recovery code: ${recovery}`);
  const officeFingerprint = (await office.locator('.fingerprint').first().textContent()).split('指纹')[1].trim();
  rootFingerprint = (await office.locator('.fingerprint').nth(1).textContent()).split('指纹')[1].trim();
  assert.match(rootFingerprint, /^[0-9A-F]{4}( [0-9A-F]{4}){7}$/);
  await shot(office, 'report-01-office-recovery');
  await office.getByLabel('恢复码已打印并交专人封存').check();
  await office.getByRole('button', { name: '继续' }).click();
  await office.getByText('还没有收到举报。').first().waitFor();

  // A migrant worker, not signed in, files anonymously with a photo.
  const filer = await phone(browser);
  await filer.goto(server.base + 'report');
  await filer.getByRole('link', { name: '我要举报' }).click();
  await fillReport(filer, { category: '违规使用集体资金', text: `${MARKER}：村主任陈某把二十万元修路款转入亲戚的公司。` });
  await filer.locator('#evidence').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: await photo(filer) });
  await filer.getByText('已去除拍摄信息').waitFor();
  // The office the phone encrypts to shows the same fingerprint the office sees.
  await filer.getByText(officeFingerprint).waitFor();
  await shot(filer, 'report-02-form');
  await filer.getByRole('button', { name: '加密并提交' }).click();
  const receipt = (await filer.locator('.code.receipt').textContent({ timeout: 30000 })).trim();
  assert.match(receipt, /^[0-9A-Z]{4}( [0-9A-Z]{4}){3}$/);
  await shot(filer, 'report-03-receipt');

  // From another phone, with nothing but the code (typed in lower case, without spaces).
  const later = await phone(browser);
  await later.goto(server.base + 'report/follow');
  await later.getByLabel('查询码').fill(receipt.toLowerCase().replaceAll(' ', ''));
  await later.getByRole('button', { name: '查询' }).click();
  await later.getByText('已收到', { exact: true }).waitFor();
  await later.getByText(MARKER, { exact: false }).waitFor();
  await later.getByText('已提交证据 1 份').waitFor();
  // More evidence later: a file that is not a photo goes as it is, with a warning.
  await later.locator('#more-evidence').setInputFiles({ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from(`${MARKER} 补充说明`) });
  await later.getByText('已提交证据 2 份').waitFor();
  await shot(later, 'report-04-follow-up');

  // The inspector comes back later: the page asks for the passphrase again.
  await office.goto(server.base + 'office/359901101000');
  await office.getByRole('heading', { name: '解锁举报' }).waitFor();
  await office.getByLabel('纪检口令').fill('错误的口令错误的口令');
  await office.getByRole('button', { name: '解锁' }).click();
  await office.getByRole('alert').waitFor();
  await office.getByLabel('纪检口令').fill(PASSPHRASE);
  await office.getByRole('button', { name: '解锁' }).click();
  await office.getByRole('link', { name: /已收到/ }).click();
  await office.getByText(MARKER, { exact: false }).waitFor();
  await office.getByText('匿名举报').waitFor();
  // The photo is shown after re-decoding; the other file is only offered as a download.
  const download = office.waitForEvent('download');
  await office.getByRole('button', { name: '解密并查看证据' }).click();
  assert.equal((await download).suggestedFilename(), '说明.txt');
  await office.getByText('说明.txt · 已下载（未在页面中打开）').waitFor();
  const img = office.locator('img.evidence');
  await img.waitFor();
  assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth > 0), 'the re-decoded photo shows');
  await office.getByLabel('回复举报人（加密）').fill('已收到，请补充付款凭证。');
  await office.getByRole('button', { name: '提交', exact: true }).click();
  await office.getByText('已收到，请补充付款凭证。').waitFor();
  await office.getByRole('button', { name: '立案', exact: true }).click();
  await office.getByText(/案件编号 \d{4}-0001/).waitFor();
  await shot(office, 'report-05-office-reads');

  // The filer sees the case number and the answer.
  await later.reload();
  await later.getByLabel('查询码').fill(receipt);
  await later.getByRole('button', { name: '查询' }).click();
  await later.getByText('已立案', { exact: true }).waitFor();
  await later.getByText('已收到，请补充付款凭证。').waitFor();
  await shot(later, 'report-06-filer-sees-answer');

  // A second inspector joins: the administrator makes the account, the newcomer chooses a
  // passphrase and reads out a fingerprint, the head compares it and lets them in.
  const admin = await phone(browser);
  await signIn(admin, server.base, '13800000009');
  const made = await admin.evaluate(async () => (await fetch('api/regions/359901101000/accounts', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: '王纪检', mobile: '13800000066', role: 'inspector', password: 'Newcomer2026' }),
  })).status);
  assert.equal(made, 201);
  const second = await phone(browser);
  await signIn(second, server.base, '13800000066', 'Newcomer2026');
  await second.waitForURL((u) => !u.pathname.endsWith('/login'));
  await second.goto(server.base + 'office/359901101000');
  await second.getByLabel('纪检口令').fill('王纪检的口令 2026');
  await second.getByLabel('再输入一次口令').fill('王纪检的口令 2026');
  await second.getByRole('button', { name: '保存' }).click();
  await second.getByRole('heading', { name: '等待授权' }).waitFor();
  const theirs = (await second.locator('.fingerprint').first().textContent()).split('指纹')[1].trim();
  await shot(second, 'report-07-newcomer-waits');
  await office.goto(server.base + 'office/359901101000');
  await office.getByLabel('纪检口令').fill(PASSPHRASE);
  await office.getByRole('button', { name: '解锁' }).click();
  const row = office.locator('li', { hasText: '王纪检' });
  await row.getByText(theirs).waitFor();
  await row.getByRole('button', { name: '核对无误，授权' }).click();
  await office.locator('li', { hasText: '王纪检' }).getByText('已授权').waitFor();
  await shot(office, 'report-08-head-lets-in');
  await second.getByRole('button', { name: '刷新' }).click();
  await second.getByRole('link', { name: /已立案/ }).click();
  await second.getByText(MARKER, { exact: false }).waitFor();

  for (const p of [office, filer, later, second]) assert.deepEqual(p.errors, []);

  // Nothing the filer wrote is in the server's log or its data directory in the clear.
  const needles = [MARKER, '陈某', '二十万元'].map((s) => Buffer.from(s));
  assert.ok(server.logs().includes('/api/reports'), 'the request log was captured');
  for (const n of needles) assert.ok(!Buffer.from(server.logs()).includes(n), `the log holds ${n}`);
  const stored = files(server.data);
  assert.ok(stored.some((f) => f.endsWith('sunlight.db')), 'the database is there');
  for (const f of stored) {
    const bytes = readFileSync(f);
    for (const n of needles) assert.ok(!bytes.includes(n), `${f} holds ${n}`);
  }
});

// Files to the township office that the test above opened.
test('a real-name report with a mistyped ID card number is stopped in the phone', async () => {
  const filer = await phone(browser);
  await filer.goto(server.base + 'report/new');
  await filer.getByLabel('实名举报').check();
  await filer.locator('#rn-name').fill('林举报');
  await filer.locator('#rn-id').fill('110105194912310021');
  await filer.locator('#rn-mobile').fill('13912345678');
  await fillReport(filer, { category: '优亲厚友', text: '低保名额给了亲戚。' });
  await filer.getByRole('button', { name: '加密并提交' }).click();
  await filer.getByText('身份证号校验位不对，请核对').waitFor();
  await filer.locator('#rn-id').fill('11010519491231002X');
  await filer.getByRole('button', { name: '加密并提交' }).click();
  await filer.locator('.code.receipt').waitFor();
  assert.deepEqual(filer.errors, []);
});

/** Ed25519 key pair made by node: its raw 32-byte public key and a signing function. */
function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  return { raw, sign: (msg) => cryptoSign(null, msg, privateKey) };
}

/** The bytes an admission signs (see `sunlight_seal::trust`). */
function admissionMessage(office, member, publicKey, signingKey, atMs) {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(office.length);
  const at = Buffer.alloc(8);
  at.writeBigInt64LE(BigInt(atMs));
  return Buffer.concat([Buffer.from('sunlight admission v1\0'), len, Buffer.from(office),
    Buffer.from(member.replaceAll('-', ''), 'hex'), publicKey, signingKey, at]);
}

// An operator who controls the server lists two intruders as members "holding the keys":
// one with no admission at all, one whose admission is well signed, but by the first (a
// listed member nobody admitted). The office page shows both as 未经认证 and, when the head
// removes a member, seals the new office key to neither.
test('the office page seals nothing to members the server lists without a proven admission', async () => {
  const office = '359901101000';
  const intruders = [randomUUID(), randomUUID()].map((account, i) => {
    const signing = ed25519();
    return { account, name: ['赵入侵', '钱入侵'][i], x25519: randomBytes(32), signing };
  });
  const [a, b] = intruders;
  const atMs = Date.now();
  const forgedAdmission = {
    member: b.account, public_key: b.x25519.toString('base64'), signing_key: b.signing.raw.toString('base64'),
    by: a.account, at_ms: atMs,
    signature: a.signing.sign(admissionMessage(office, b.account, b.x25519, b.signing.raw, atMs)).toString('base64'),
  };
  const head = await phone(browser);
  await head.route((u) => u.pathname.endsWith(`/api/offices/${office}`), async (route) => {
    const res = await route.fetch();
    const state = await res.json();
    for (const i of intruders) {
      state.members.push({ account: i.account, name: i.name, head: false, fingerprint: 'AAAA', public_key: i.x25519.toString('base64'),
        signing_key: i.signing.raw.toString('base64'), granted: true });
    }
    state.admissions.push(forgedAdmission);
    await route.fulfill({ response: res, json: state });
  });
  const removals = [];
  head.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith(`/api/offices/${office}/removals`)) removals.push(r.postDataJSON());
  });
  head.on('dialog', (d) => d.accept());
  // A member's row, by the name in bold (the access log's lines name people too).
  const member = (name) => head.locator('ul.rows li', { has: head.locator('b', { hasText: name }) });
  await signIn(head, server.base, '13800000006');
  await head.goto(server.base + `office/${office}`);
  await head.getByLabel('纪检口令').fill(PASSPHRASE);
  await head.getByRole('button', { name: '解锁' }).click();
  for (const i of intruders) {
    const row = member(i.name);
    await row.getByText('未经认证', { exact: true }).waitFor();
    assert.equal(await row.getByText('已授权').count(), 0, `${i.name} is not shown as holding the keys`);
  }
  await head.getByText('名单中有未经认证的成员').waitFor();
  // A browser that meets the office for the first time shows the root printed at set-up.
  await head.getByText(rootFingerprint).waitFor();
  // Those really let in show who let them in.
  await member('王纪检').getByText('准入人：郑纪检').waitFor();
  await member('郑纪检').getByText('由恢复码准入').waitFor();
  await shot(head, 'report-09-unproven-members');

  // The head removes 王纪检: the new office key goes to the head alone.
  await member('王纪检').getByRole('button', { name: '移除' }).click();
  await member('王纪检').waitFor({ state: 'detached' });
  assert.equal(removals.length, 1);
  const sent = removals[0];
  const sealedTo = sent.wraps.map((w) => w.member);
  for (const i of intruders) {
    assert.ok(!sealedTo.includes(i.account), `the new key was sealed to ${i.name}`);
    assert.ok(!sent.admissions.some((x) => x.member === i.account), `${i.name} was signed in`);
  }
  assert.equal(sealedTo.length, 1, 'sealed to the head only');
  assert.deepEqual(head.errors, []);
});

// The same operator swaps the township office's key for one of their own, listed as made by
// a real member. The filer's phone checks the key's signature against the office's chain of
// admissions, refuses to encrypt to it and says where else to go; then the operator swaps the
// root itself, and a phone that saw the office before refuses that too.
test('the filer\'s phone encrypts only to an office key that the office\'s chain proves', async () => {
  const office = '359901101000';
  const filer = await phone(browser);
  const filed = [];
  filer.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/api/reports')) filed.push(r.url());
  });
  await filer.goto(server.base + 'report/new');
  await fillReport(filer, { category: '违规使用集体资金', text: '换了密钥的机关不能收到这份举报。' });
  // Seen honestly first: the township is proven, with the root printed at set-up.
  await filer.getByText(rootFingerprint).waitFor();
  const township = filer.getByLabel('桃源镇纪检监察机关');
  assert.ok(await township.isEnabled());
  assert.ok(await township.isChecked(), 'the township is chosen by default');

  let swap = 'key';
  await filer.route((u) => u.pathname.endsWith('/api/report-offices'), async (route) => {
    const res = await route.fetch();
    const list = await res.json();
    for (const o of list.filter((x) => x.code === office)) {
      if (swap === 'key') {
        const impostor = ed25519();
        o.public_key = randomBytes(32).toString('base64');
        o.fingerprint = 'AAAA BBBB CCCC DDDD';
        // Signed, but by a key no admission of the office carries.
        o.key_signature = impostor.sign(Buffer.from(o.public_key, 'base64')).toString('base64');
      } else {
        o.root_key = ed25519().raw.toString('base64');
      }
    }
    await route.fulfill({ response: res, json: list });
  });
  for (const [mode, words] of [['key', '此机关的密钥无法验证'], ['root', '此机关的认证密钥与本机以前见到的不同']]) {
    swap = mode;
    await filer.reload();
    await fillReport(filer, { category: '违规使用集体资金', text: '换了密钥的机关不能收到这份举报。' });
    await filer.getByText(words).waitFor();
    assert.ok(await township.isDisabled(), `${mode}: the township cannot be chosen`);
    assert.ok(!(await township.isChecked()), `${mode}: nor is it chosen by default`);
    assert.equal(await filer.getByText('AAAA BBBB CCCC DDDD').count(), 0, `${mode}: the impostor's fingerprint is not offered`);
    await shot(filer, `report-10-filer-${mode}-unproven`);
    await filer.getByRole('button', { name: '加密并提交' }).click();
    await filer.getByRole('alert').filter({ hasText: '机关' }).first().waitFor();
  }
  assert.deepEqual(filed, [], 'nothing was sent');
  assert.deepEqual(filer.errors, []);
});

test('inside WeChat\'s mini-program the report pages send the filer to a browser, with the address', async () => {
  const ua = 'Mozilla/5.0 (Linux; Android 12; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0 Mobile Safari/537.36 XWEB/1300333 MicroMessenger/8.0.50.2701(0x28003253) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64 miniProgram/wx0123456789abcdef';
  const inWeChat = await phone(browser, { userAgent: ua });
  await inWeChat.goto(`${server.base}report/new`);
  const alert = inWeChat.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /不在微信小程序里进行/);
  assert.equal(await inWeChat.locator('input.copy').inputValue(), `${server.base}report/new`);
  assert.equal(await inWeChat.locator('textarea').count(), 0, 'no report form inside WeChat');
  await shot(inWeChat, 'report-in-wechat');
  // WeChat's ordinary browser (a link opened in a chat, not the mini-program) is a browser.
  const chat = await phone(browser, { userAgent: ua.replace(/ miniProgram\/\S+/, '') });
  await chat.goto(`${server.base}report`);
  await chat.getByRole('link', { name: '我要举报' }).waitFor();
  assert.deepEqual(inWeChat.errors, []);
});
