// How long a phone waits on report cryptography, in headless Chromium with the CPU
// slowed 1× and 4× (a cheap phone): deriving an inspector's passphrase key (Argon2id,
// 19 MiB, 2 passes, in the worker) and filing a report (proof of work at the server's
// default 18 bits, sealing, sending). Prints medians; asserts nothing.
import { startServer, launch, phone, signIn, fillReport } from '../tests/browser/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function slowed(browser, rate) {
  const page = await phone(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return page;
}

const server = await startServer(process.env.POW_BITS ? ['--report-pow-bits', process.env.POW_BITS] : []);
const browser = await launch();
try {
  for (const rate of [1, 4]) {
    const derive = [];
    const file = [];
    for (let run = 0; run < RUNS; run++) {
      // A fresh inspector each run: the first one also opens the office to reports.
      const mobile = `1380000${rate}${run}${run}${run}`.slice(0, 11);
      const admin = await phone(browser);
      await signIn(admin, server.base, '13800000009');
      await admin.evaluate(async (m) => fetch('api/regions/359901101000/accounts', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '测速', mobile: m, role: 'inspector', password: 'Bench-2026' }),
      }), mobile);
      const office = await slowed(browser, rate);
      await signIn(office, server.base, mobile, 'Bench-2026');
      await office.waitForURL((u) => !u.pathname.endsWith('/login'));
      await office.goto(server.base + 'office/359901101000');
      await office.getByLabel('纪检口令').fill('测速用的口令 2026');
      await office.getByLabel('再输入一次口令').fill('测速用的口令 2026');
      // Scrolled into view first: the clock covers the work, not the test driver's scrolling.
      await office.getByRole('button', { name: '保存' }).scrollIntoViewIfNeeded();
      const t0 = performance.now();
      await office.getByRole('button', { name: '保存' }).click();
      await office.getByRole('button', { name: /开通网上举报受理|刷新/ }).waitFor({ timeout: 120000 });
      derive.push(performance.now() - t0);
      if (await office.getByRole('button', { name: '开通网上举报受理' }).isVisible()) {
        await office.getByRole('button', { name: '开通网上举报受理' }).click();
        await office.getByLabel('恢复码已打印并交专人封存').check();
        await office.getByRole('button', { name: '继续' }).click();
      }
      await office.context().close();
      await admin.context().close();

      const filer = await slowed(browser, rate);
      await filer.goto(server.base + 'report/new');
      await fillReport(filer, { subject: '某某', category: '其他', text: '测速用的举报内容。'.repeat(50) });
      await filer.getByText('受理机关密钥指纹').waitFor();
      await filer.getByRole('button', { name: '加密并提交' }).scrollIntoViewIfNeeded();
      const t1 = performance.now();
      await filer.getByRole('button', { name: '加密并提交' }).click();
      await filer.locator('.code.receipt').waitFor({ timeout: 120000 });
      file.push(performance.now() - t1);
      await filer.context().close();
    }
    console.log(`CPU ${rate}× slower: passphrase key ${median(derive).toFixed(0)} ms, ` +
      `filing a report ${median(file).toFixed(0)} ms (median of ${RUNS})`);
  }
} finally {
  await browser.close();
  server.stop();
}
