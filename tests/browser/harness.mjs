// Browser test harness: starts the real `sunlight` binary with demo data on a fresh SQLite
// file and a free port, and drives Debian's Chromium through playwright-core at 390x844.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'tests/browser/screenshots');
export const DEMO_PASSWORD = 'Sunlight2026';

/** Starts the server; resolves with its base URL and a stop function. */
export async function startServer(extraArgs = [], env = {}) {
  const data = mkdtempSync(join(tmpdir(), 'sunlight-browser-'));
  const bin = process.env.SUNLIGHT_BIN ?? join(ROOT, 'target/debug/sunlight');
  const child = spawn(bin, ['serve', '--demo', '--bind', '127.0.0.1:0', '--data-dir', data, '--dist', join(ROOT, 'dist'), ...extraArgs], {
    env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 30000);
    const read = (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => fail(new Error(`server exited (${code}):\n${out}`)));
    // Keep reading after start-up, so the log is whole.
  });
  // Everything the server printed, and its data directory, for tests that check what it kept.
  return { base, stop: () => child.kill('SIGTERM'), logs: () => out, data };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // A microphone that plays a tone, granted without asking: the voice-note tests record it.
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
}

/** A fresh phone-sized page. */
export async function phone(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', ...opts });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
  return page;
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page, base, mobile, password = DEMO_PASSWORD) {
  await page.goto(base + 'login');
  await page.getByLabel('手机号').fill(mobile);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  if (password === DEMO_PASSWORD) await page.waitForURL((u) => !u.pathname.endsWith('/login'));
}

/** Fills the report form about a 上坪村 village cadre, as a filer would. */
export async function fillReport(page, { subject = '陈某', category, text }) {
  await page.locator('#subject-name').fill(subject);
  await page.locator('#subject-post').fill('村主任');
  await page.getByLabel('市', { exact: true }).selectOption({ label: '云溪市' });
  await page.getByLabel('县（区）').selectOption({ label: '清水县' });
  await page.getByLabel('乡镇（街道）').selectOption({ label: '桃源镇' });
  await page.getByLabel('村（社区）').selectOption({ label: '上坪村' });
  await page.getByLabel('问题类别').selectOption({ label: category });
  await page.getByLabel('具体问题').fill(text);
}

const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** What axe-core finds on the page as it stands: WCAG 2 A and AA and axe's best practices
 * (landmarks among them: one `<main>`, all content inside a landmark). Contrast is left to
 * a11y.test.mjs's own audit, which measures the rendered colours. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice'] },
      rules: { 'color-contrast': { enabled: false } },
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/** True when the page scrolls sideways. */
export function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** Today in China (YYYY-MM-DD), where the accounts are kept. */
export const todayInChina = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

/** The month `n` months before this one in China (YYYY-MM). */
export function monthsAgo(n) {
  const [y, m] = todayInChina().split('-').map(Number);
  const i = y * 12 + (m - 1) - n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** A small valid PNG (16x16, grey), as a phone's photo stands in for. */
export function png() {
  const crc = (buf) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16, 0);
  ihdr.writeUInt32BE(16, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc(16 * 17, 0x80);
  for (let y = 0; y < 16; y++) raw[y * 17] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
