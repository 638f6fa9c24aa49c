// A cadre resets a villager's password with a code: the villager is told on every page
// until they acknowledge it, and finds it in 我的 afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, DEMO_PASSWORD } from './harness.mjs';

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

/** Signs in over the API and returns the session cookie. */
async function session(mobile, password = DEMO_PASSWORD) {
  const res = await fetch(server.base + 'api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mobile, password }),
  });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

test('a villager whose password a cadre reset is told until they acknowledge it', async () => {
  const villager = await session('13800000001');
  const me = await (await fetch(server.base + 'api/me', { headers: { cookie: villager } })).json();
  const cadre = await session('13800000003');
  const issued = await fetch(server.base + `api/users/${me.id}/reset-codes`, {
    method: 'POST',
    headers: { cookie: cadre, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(issued.status, 201);
  const { code } = await issued.json();
  const reset = await fetch(server.base + 'api/password-resets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mobile: '13800000001', code, password: 'a-new-password-1' }),
  });
  assert.equal(reset.status, 204);

  const page = await phone(browser);
  await signIn(page, server.base, '13800000001', 'a-new-password-1');
  const notice = page.getByRole('alert').filter({ hasText: '重设码重新设置' });
  await notice.waitFor();
  assert.match(await notice.innerText(), /陈书记/);
  await shot(page, 'reset-notice');
  await page.getByRole('button', { name: '知道了' }).click();
  await notice.waitFor({ state: 'detached' });
  await page.getByRole('link', { name: '我的', exact: true }).click();
  const record = page.locator('section', { hasText: '密码重设记录' });
  await record.waitFor();
  assert.match(await record.innerText(), /陈书记/);
  await shot(page, 'reset-in-me');
  // Acknowledged on the server: a new sign-in shows no notice.
  const again = await phone(browser);
  await signIn(again, server.base, '13800000001', 'a-new-password-1');
  await again.getByRole('heading', { name: '上坪村 · 公开' }).waitFor();
  assert.equal(await again.getByText('重设码重新设置').count(), 0);
  assert.deepEqual(page.errors, []);
});
