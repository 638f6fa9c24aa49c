// Writes .br and .gz beside every file of the built client (the server sends them as they
// are), then prints what the first page load costs on the wire and enforces the budget.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUDGET = 250 * 1024; // bytes of brotli for everything the first page loads
const GOAL = 120 * 1024;
const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist).filter((f) => !f.endsWith('.br') && !f.endsWith('.gz') && statSync(join(dist, f)).isFile());
const sizes = {};
for (const f of files) {
  const raw = readFileSync(join(dist, f));
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(join(dist, f + '.br'), br);
  writeFileSync(join(dist, f + '.gz'), gz);
  sizes[f] = { raw: raw.length, br: br.length, gz: gz.length };
}
// The first page loads index.html, the stylesheet, the JS glue and the wasm module.
const firstLoad = files.filter((f) => f === 'index.html' || /\.(css|js|wasm)$/.test(f));
let total = 0;
for (const f of firstLoad) {
  total += sizes[f].br;
  console.log(`${f.padEnd(44)} ${String(sizes[f].raw).padStart(8)} raw ${String(sizes[f].br).padStart(8)} br ${String(sizes[f].gz).padStart(8)} gz`);
}
console.log(`first load: ${total} bytes brotli (${(total / 1024).toFixed(1)} KiB); budget ${BUDGET / 1024} KiB, goal ${GOAL / 1024} KiB`);
if (total > BUDGET) {
  console.error(`size budget exceeded: ${total} > ${BUDGET}`);
  process.exit(1);
}
