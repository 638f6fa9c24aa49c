// Polls on a shared family phone: two villagers sign in one after the other in the same
// browser, each votes on a per-person poll and sees their own choice and when it was cast;
// neither gets an error, neither sees or overwrites the other's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn } from './harness.mjs';

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

const TITLE = '文化广场选址';

async function openPoll(page) {
  await page.goto(server.base);
  await page.getByRole('link', { name: '投票', exact: true }).click();
  await page.getByRole('link', { name: new RegExp(TITLE) }).click();
  await page.getByRole('heading', { name: new RegExp(TITLE) }).waitFor();
}

async function signOut(page) {
  await page.goto(server.base + 'me');
  await page.getByRole('button', { name: '退出登录' }).click();
  // Signing out leaves for the sign-in bundle; only that the address changed matters here.
  await page.waitForURL(/\/login/, { waitUntil: 'commit' });
}

test('two villagers vote one after the other on one phone, each seeing their own choice', async () => {
  // The cadre starts a per-person poll that allows changing a vote, results after closing.
  const cadre = await phone(browser);
  await signIn(cadre, server.base, '13800000003');
  await cadre.goto(server.base + 'staff/admin/359901101201/polls');
  await cadre.getByRole('heading', { name: '发起投票' }).waitFor();
  await cadre.getByLabel('标题').fill(TITLE);
  await cadre.getByLabel('问题', { exact: true }).fill('文化广场建在哪里？');
  await cadre.getByLabel('选项（每行一个）').fill('村委会旁\n小学对面\n河边空地');
  await cadre.locator('#poll-per').selectOption('person');
  await cadre.getByRole('button', { name: '发起投票' }).click();
  await cadre.waitForURL(/\/staff\/polls\//);
  // Results after closing: staff see no counts and get no export either.
  await cadre.getByText('结果将在投票结束后公布，干部也一样。').waitFor();
  assert.equal(await cadre.getByRole('link', { name: '导出结果（Excel）' }).count(), 0);
  await shot(cadre, 'poll-staff-no-live-counts');

  // One family phone.
  const page = await phone(browser);
  const failures = [];
  page.on('response', (r) => { if (r.status() >= 500) failures.push(`${r.status()} ${r.url()}`); });

  await signIn(page, server.base, '13800000001');
  await openPoll(page);
  await page.getByRole('button', { name: '村委会旁', exact: true }).click();
  await page.getByRole('button', { name: '投票', exact: true }).click();
  await page.getByText('您的选择：村委会旁').waitFor();
  await page.getByText(/已投票 · 投于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/).waitFor();
  await shot(page, 'poll-my-choice');
  // Changing the vote says so, with the new choice.
  await page.getByRole('button', { name: '小学对面', exact: true }).click();
  await page.getByRole('button', { name: '改票', exact: true }).click();
  await page.getByText('您的选择：小学对面').waitFor();
  await page.getByText(/已改票 · 投于/).waitFor();
  await shot(page, 'poll-vote-changed');

  // The second person on the same phone.
  await signOut(page);
  await signIn(page, server.base, '13800000003');
  await openPoll(page);
  assert.equal(await page.getByText('您的选择：').count(), 0, 'nothing of the first person is shown');
  await page.getByRole('button', { name: '河边空地', exact: true }).click();
  await page.getByRole('button', { name: '投票', exact: true }).click();
  await page.getByText('您的选择：河边空地').waitFor();
  await page.getByText(/已投票 · 投于/).waitFor();
  // They may change theirs too, without touching the first person's.
  await page.getByRole('button', { name: '村委会旁', exact: true }).click();
  await page.getByRole('button', { name: '改票', exact: true }).click();
  await page.getByText('您的选择：村委会旁').waitFor();
  await shot(page, 'poll-second-person');

  // Back to the first person: their own choice, still as they left it.
  await signOut(page);
  await signIn(page, server.base, '13800000001');
  await openPoll(page);
  await page.getByText('您的选择：小学对面').waitFor();

  // 320 px wide: nothing scrolls sideways.
  await page.setViewportSize({ width: 320, height: 700 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 320), true);
  await shot(page, 'poll-my-choice-320');

  assert.deepEqual(failures, []);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(cadre.errors, []);
});
