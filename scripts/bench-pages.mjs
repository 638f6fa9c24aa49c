// What a villager's phone downloads and waits for before a month's accounts are on screen,
// as a cheap phone on a slow network gets them (Lighthouse's mobile "Slow 4G": 150 ms
// round trips, 1.6 Mbps down, 750 kbps up, CPU 4× slower; headless Chromium at 390×844;
// nothing cached). Two ways to the same month: the page the server renders (anyone, no
// account) and the app (a signed-in villager, `?app`). Prints medians of BENCH_RUNS runs
// (default 10): bytes over the wire until the totals are on screen, time until then, and
// the Largest Contentful Paint. Asserts nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, launch, phone, signIn } from '../tests/browser/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const VILLAGE = '359901101201';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function lastMonth() {
  const [y, m] = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7).split('-').map(Number);
  const i = y * 12 + (m - 1) - 2;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** One cold load of `url` on a slow phone: bytes and milliseconds until `.totals` shows. */
async function load(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const finished = [];
  cdp.on('Network.loadingFinished', (e) => finished.push({ at: performance.now(), bytes: e.encodedDataLength }));
  await page.addInitScript(() => {
    window.__lcp = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__lcp = e.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator('.totals').first().waitFor({ timeout: 60000 });
  const shown = performance.now();
  const sinceStart = await page.evaluate(() => performance.now());
  // LCP settles once the page stops changing; give it a moment, then read it.
  await page.waitForTimeout(1500);
  const lcp = await page.evaluate(() => window.__lcp);
  const bytes = finished.filter((f) => f.at <= shown).reduce((n, f) => n + f.bytes, 0);
  await cdp.detach();
  return { bytes, ms: Math.min(shown - t0, sinceStart), lcp };
}

const server = await startServer();
const browser = await launch();
try {
  const month = lastMonth();
  const results = {};
  for (const [name, url, villager] of [
    ['server-rendered page, no account', `ledger/${VILLAGE}/${month}`, false],
    ['app (?app), signed-in villager', `ledger/${VILLAGE}/${month}?app`, true],
  ]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await phone(browser);
      if (villager) await signIn(page, server.base, '13800000001');
      runs.push(await load(page, server.base + url));
      await page.context().close();
    }
    results[name] = {
      'KB before content (median)': (median(runs.map((r) => r.bytes)) / 1024).toFixed(1),
      'ms to content (median)': Math.round(median(runs.map((r) => r.ms))),
      'LCP ms (median)': Math.round(median(runs.map((r) => r.lcp))),
    };
  }
  console.log(`A month of ${VILLAGE} on a slow phone (Slow 4G, CPU 4×, 390×844, cold cache), ${RUNS} runs:`);
  console.table(results);
  lighthouse(server.base, month);
} finally {
  await browser.close();
  server.stop();
}

/** Lighthouse's own mobile run (simulated Slow 4G, CPU 4×) of both, when scripts/bench
 * installed it: performance score, FCP, LCP and bytes. */
function lighthouse(base, month) {
  const bin = resolve(import.meta.dirname, '../node_modules/.bin/lighthouse');
  if (!existsSync(bin)) {
    console.log('Lighthouse is not installed (scripts/bench installs it); skipped.');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sunlight-lighthouse-'));
  const cookie = execFileSync('curl', ['-s', '-i', '-H', 'content-type: application/json',
    '-d', JSON.stringify({ mobile: '13800000001', password: 'Sunlight2026' }), `${base}api/session`]).toString()
    .split('\n').find((l) => /^set-cookie: sunlight_session=/i.test(l)).slice(12).split(';')[0].trim();
  writeFileSync(join(dir, 'headers.json'), JSON.stringify({ Cookie: cookie }));
  const rows = {};
  for (const [name, url, headers] of [
    ['server-rendered page, no account', `ledger/${VILLAGE}/${month}`, null],
    ['app (?app), signed-in villager', `ledger/${VILLAGE}/${month}?app`, join(dir, 'headers.json')],
  ]) {
    const out = join(dir, 'report.json');
    execFileSync(bin, [base + url, '--only-categories=performance', '--form-factor=mobile', '--quiet',
      '--chrome-flags=--headless=new --no-sandbox', '--output=json', `--output-path=${out}`,
      ...(headers ? [`--extra-headers=${headers}`] : [])],
    { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM ?? '/usr/bin/chromium' }, stdio: 'ignore' });
    const r = JSON.parse(readFileSync(out, 'utf8'));
    rows[name] = {
      score: Math.round(r.categories.performance.score * 100),
      'FCP ms': Math.round(r.audits['first-contentful-paint'].numericValue),
      'LCP ms': Math.round(r.audits['largest-contentful-paint'].numericValue),
      'KiB transferred': (r.audits['total-byte-weight'].numericValue / 1024).toFixed(1),
    };
  }
  console.log('Lighthouse mobile (simulated Slow 4G, CPU 4×):');
  console.table(rows);
}
