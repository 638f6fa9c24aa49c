// Demands (诉求) end to end at 390x844: a villager files one with a photo (the class
// suggested from her words), the cadre finds it in his to-do list and closes it, she rates
// it and her to-do count moves; a complaint about a cadre is handed to the private report
// page; the demo's late demands show escalated on the township's side and in the
// inspector's overdue list; the dashboard draws and offers its export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, shot, signIn, scrollsSideways, png } from './harness.mjs';

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


/** The count beside a to-do line on the first screen (0 when the line is not there). */
async function todoCount(page, label) {
  const line = page.locator('.todo li', { hasText: label });
  if ((await line.count()) === 0) return 0;
  return Number(await line.locator('.count').innerText());
}

test('a villager files with a photo, the cadre closes it, she rates it, the counts move', async () => {
  const villager = await phone(browser);
  await signIn(villager, server.base, '13800000001');
  // Her first screen lists what waits for her (the demo left one closed demand unrated).
  await villager.locator('.todo').waitFor();
  const toRate = await todoCount(villager, '诉求已办结，等您评价');
  assert.ok(toRate >= 1, 'the demo leaves her a closed demand to rate');

  // The 诉求 tab loads the demands page (its own bundle).
  await villager.getByRole('link', { name: '诉求', exact: true }).click();
  await villager.waitForURL(/\/demands$/);
  await villager.getByRole('heading', { name: '我反映的' }).waitFor();
  await shot(villager, 'demands-home');
  await villager.getByRole('link', { name: '我要反映' }).click();
  await villager.waitForURL(/\/demands\/new$/);

  // Her words pick the class; a complaint about a cadre goes to the private report page.
  const text = '二组桥头的路灯坏了半个月，晚上走路看不见';
  await villager.getByLabel('您要反映的事').fill(text);
  assert.equal(await villager.locator('#demand-class').inputValue(), 'service');
  assert.equal(await villager.locator('#demand-sub').inputValue(), '道路交通');
  await villager.getByText('已按您写的内容自动选择，可以改。').waitFor();
  await villager.locator('#demand-class').selectOption('petition');
  await villager.getByText(/请走私密举报/).waitFor();
  assert.equal(await villager.getByRole('button', { name: '提交' }).count(), 0, 'no way to file a complaint as a demand');
  assert.ok(await villager.getByRole('link', { name: /举报/ }).first().getAttribute('href'));
  await villager.locator('#demand-class').selectOption('service');

  await villager.locator('#demand-photos').setInputFiles({ name: 'light.png', mimeType: 'image/png', buffer: png() });
  await villager.getByText('已选 1 张照片').waitFor();
  // A voice note: the browser's fake microphone plays a tone; she stops after ~2 s and can
  // listen before sending.
  await villager.getByRole('button', { name: '🎤 录一段语音' }).click();
  const stop = villager.getByRole('button', { name: /停止录音/ });
  await stop.waitFor();
  await villager.waitForTimeout(2300);
  await stop.click();
  await villager.locator('.voice audio').waitFor();
  await villager.getByRole('button', { name: '删掉，重新录' }).waitFor();
  assert.equal(await scrollsSideways(villager), false);
  await shot(villager, 'demand-form');
  await villager.getByRole('button', { name: '提交' }).click();
  await villager.waitForURL(/\/demands\/[0-9a-f-]{36}$/);
  const url = villager.url();
  await villager.getByText(text).waitFor();
  await villager.getByText('待受理').first().waitFor();
  await villager.locator('.demand .thumbs img').waitFor();
  // The recording came back as AAC in MP4, which every phone plays.
  const audio = villager.locator('.demand .voice audio');
  await audio.waitFor();
  const voice = await villager.request.get(await audio.evaluate((a) => a.src));
  assert.equal(voice.status(), 200);
  assert.equal(voice.headers()['content-type'], 'audio/mp4');
  assert.equal((await voice.body()).subarray(4, 8).toString(), 'ftyp');
  await shot(villager, 'demand-with-voice');
  await villager.getByRole('heading', { name: '办理记录' }).waitFor();

  // The cadre's first screen counts it; he takes it and closes it with what was done.
  const cadre = await phone(browser);
  await signIn(cadre, server.base, '13800000003');
  await cadre.goto(server.base + 'staff/work');
  await cadre.locator('.todo').waitFor();
  assert.ok((await todoCount(cadre, '新诉求待受理')) >= 1);
  await cadre.locator('.todo li', { hasText: '新诉求待受理' }).getByRole('link').click();
  await cadre.getByRole('link', { name: new RegExp(text) }).click();
  await cadre.getByText('反映人 张秀英 13800000001').waitFor();
  await cadre.getByRole('button', { name: '受理' }).click();
  await cadre.getByText('办理中').first().waitFor();
  await cadre.getByLabel('说明').fill('已换了新路灯，晚上亮了');
  await cadre.getByRole('button', { name: '办结', exact: true }).click();
  await cadre.getByText('已办结').first().waitFor();
  await shot(cadre, 'demand-closed-by-cadre');

  // She sees the result in the history and rates it.
  // Opened afresh (from a message, the to-do list), the demand is a page the server
  // renders: its state and history at once, no WebAssembly downloaded.
  const wasm = [];
  villager.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  await villager.goto(url);
  await villager.getByText('已换了新路灯，晚上亮了').waitFor();
  await villager.getByText('陈书记（村干部）', { exact: false }).first().waitFor();
  await villager.getByText('已办结').first().waitFor();
  assert.deepEqual(wasm, [], 'the status page starts no app');
  await shot(villager, 'demand-status-page');
  // Rating is done in the app, one tap away.
  await villager.getByRole('link', { name: '评价、补充照片或办理' }).click();
  await villager.getByRole('button', { name: '满意', exact: true }).click();
  await villager.getByText('您的评价：满意').waitFor();
  await shot(villager, 'demand-rated');
  await villager.goto(server.base);
  await villager.locator('.todo').waitFor();
  assert.equal(await todoCount(villager, '诉求已办结，等您评价'), toRate, 'rating it took it off her list');
  assert.deepEqual(villager.errors, []);
  assert.deepEqual(cadre.errors, []);
});

test('late demands show escalated at the township and in the inspector\'s overdue list', async () => {
  const township = await phone(browser);
  await signIn(township, server.base, '13800000005');
  await township.goto(server.base + 'staff/demands/359901101000?view=held');
  await township.locator('ul.demands li').first().waitFor();
  // The demo's village let this one run late; the clock sent it up.
  const late = township.locator('ul.demands li', { hasText: '后山的挡土墙裂了一道大缝' });
  await late.locator('.tag.late').waitFor();
  await late.getByRole('link').click();
  await township.getByText('超过办理期限，自动提级').first().waitFor();
  await shot(township, 'demand-escalated-township');

  const inspector = await phone(browser);
  await signIn(inspector, server.base, '13800000006');
  await inspector.goto(server.base + 'staff/work');
  await inspector.locator('.todo').waitFor();
  assert.ok((await todoCount(inspector, '超期诉求待督办')) >= 1);
  await inspector.getByRole('link', { name: '超期诉求' }).first().click();
  await inspector.locator('ul.demands li').first().waitFor();
  await inspector.locator('ul.demands li').first().getByRole('link').click();
  await inspector.getByLabel('说明').fill('请三日内办结并回复');
  await inspector.getByRole('button', { name: '督办' }).click();
  await inspector.getByText('纪检督办').first().waitFor();

  // The county's dashboard: totals, a trend, drill-down by township, the export.
  const county = await phone(browser);
  await signIn(county, server.base, '13800000007');
  await county.goto(server.base + 'staff/demand-stats/359901000000');
  await county.getByRole('heading', { name: '按地区（点开看下一级）' }).waitFor();
  assert.equal(await scrollsSideways(county), false);
  await shot(county, 'demand-dashboard');
  const csv = await county.getByRole('link', { name: '导出 CSV' }).getAttribute('href');
  const res = await county.request.get(server.base + csv);
  assert.equal(res.status(), 200);
  assert.match(await res.text(), /清水县（359901000000）/);
  await county.getByRole('link', { name: '桃源镇', exact: true }).click();
  await county.getByText('桃源镇 ·', { exact: false }).waitFor();
  assert.deepEqual(township.errors, []);
  assert.deepEqual(inspector.errors, []);
  assert.deepEqual(county.errors, []);
});

test('a city administrator adds next year\'s working-day calendar; a county sets its limits', async () => {
  const admin = await phone(browser);
  await signIn(admin, server.base, '13800000009');
  await admin.goto(server.base + 'staff/work');
  await admin.getByRole('link', { name: '办理期限与工作日历' }).first().click();
  await admin.getByRole('heading', { name: '2026 年' }).waitFor();
  await admin.getByText('放假 33 天，调休上班 6 天').waitFor();
  // A typing mistake is pointed at, not sent.
  await admin.getByLabel('依据').fill('国办发明电（测试）');
  await admin.getByLabel('放假的日子').fill('2027-01-01~2027-01-03，1月4日');
  await admin.getByRole('button', { name: '保存这一年' }).click();
  await admin.getByText('看不懂这一段：1月4日').waitFor();
  // A make-up day on a weekday is refused by the server, in words.
  await admin.getByLabel('放假的日子').fill('2027-01-01~2027-01-03');
  await admin.getByLabel('调休上班的日子').fill('2027-01-05');
  await admin.getByRole('button', { name: '保存这一年' }).click();
  await admin.getByText('调休上班的日子应是周六或周日').waitFor();
  await admin.getByLabel('调休上班的日子').fill('');
  await admin.getByRole('button', { name: '保存这一年' }).click();
  await admin.getByRole('heading', { name: '2027 年' }).waitFor();
  await admin.getByText('放假 3 天，调休上班 0 天').waitFor();
  await admin.getByText(/刘管理 于 .* 录入/).waitFor();
  assert.equal(await scrollsSideways(admin), false);
  await shot(admin, 'calendar');

  // The county's limits, on the county's page.
  await admin.goto(server.base + 'staff/admin/359901000000');
  await admin.getByRole('heading', { name: '本县的办理期限（工作日）' }).waitFor();
  await admin.getByLabel('村级').fill('4');
  await admin.getByRole('button', { name: '保存期限' }).click();
  await admin.getByText('期限已保存。').waitFor();
  const limits = await admin.request.get(server.base + 'api/regions/359901000000/demand-limits');
  assert.equal((await limits.json()).village, 4);
  assert.deepEqual(admin.errors, []);
});
