// A small load benchmark of what villagers do most: open a month of their village's
// accounts. Starts the release server with demo data (SQLite, or PostgreSQL when
// DATABASE_URL says so), signs in, then sends a fixed number of requests from a few
// concurrent clients on loopback, and prints throughput and latency percentiles. It
// asserts nothing: the figures are for reading and comparing, not for failing a build.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const bin = process.env.SUNLIGHT_BIN ?? join(ROOT, 'target/release/sunlight');
const data = mkdtempSync(join(tmpdir(), 'sunlight-bench-'));
const server = spawn(bin, ['serve', '--demo', '--bind', '127.0.0.1:0', '--data-dir', data], {
  env: { ...process.env, RUST_LOG: 'warn,sunlight=info', NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const base = await new Promise((ok, fail) => {
  let out = '';
  const read = (c) => {
    out += c;
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m) ok(m[1]);
  };
  server.stdout.on('data', read);
  server.stderr.on('data', read);
  server.on('exit', (code) => fail(new Error(`server exited ${code}: ${out}`)));
});
try {
  const login = await fetch(base + 'api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mobile: '13800000001', password: 'Sunlight2026' }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const year = await (await fetch(base + `api/regions/359901101201/ledger?year=${new Date().getFullYear()}`, { headers: { cookie } })).json();
  const month = year.months.at(-1)?.month;
  const url = base + `api/regions/359901101201/ledger/${month}`;
  const times = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < REQUESTS) {
      next += 1;
      const t0 = performance.now();
      const res = await fetch(url, { headers: { cookie, 'accept-encoding': 'br' } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`status ${res.status}`);
      times.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(times.length * p))].toFixed(1);
  const backend = (await (await fetch(base + 'api/health')).json()).backend;
  console.log(`month view (${backend}, ${month}, ${CLIENTS} clients, ${REQUESTS} requests): ` +
    `${(REQUESTS / seconds).toFixed(0)} req/s, p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, p99 ${pct(0.99)} ms`);
} finally {
  server.kill('SIGTERM');
}
