// Writes .br and .gz beside every file of the built client (the server sends them as they
// are), then prints what each bundle's first page load costs on the wire and enforces the
// budgets: the villagers' bundle is what every phone loads; the workbench is for staff.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const BUNDLES = [
  // The villagers' module was 227 KiB before polls and signing in left it, leptos_router
  // gave way to a small router and every page's fetch became one resource type. The whole
  // first load was allowed 160 KiB until the publication log's mark (its worker loads
  // later) added 3 KB to the module and its glue: 162 KiB, the module within 150 until the
  // link to the catalogue's page (its words are in every bundle's message table) took it
  // 40 bytes over: 151. The accounts kept for reading offline where no service worker runs
  // (iOS web-views: kept.rs) cost the module 1.1 KB: 163.5 and 152.
  { dir: '', name: 'villagers', budget: 163.5 * 1024, module: 152 * 1024 },
  // 317 KiB with leptos_router; 267 before the disclosure catalogue's screens (with its
  // corrections and withdrawals) and the group robot's card added 36 KiB: a bundle of their
  // own is the way back down.
  { dir: 'staff', name: 'staff workbench', budget: 280 * 1024 },
  { dir: 'records', name: 'workbench disclosures', budget: 205 * 1024 },
  { dir: 'report', name: 'reports', budget: 200 * 1024 }, // 227 KiB with leptos_router
  { dir: 'office', name: 'inspectors\' office', budget: 225 * 1024 }, // 257 KiB with leptos_router
  { dir: 'demands', name: 'demands', budget: 185 * 1024 }, // 211 KiB with leptos_router
  { dir: 'polls', name: 'polls', budget: 150 * 1024 },
  { dir: 'signin', name: 'signing in', budget: 120 * 1024 },
];
const dist = process.argv[2] ?? 'dist';
let failed = false;
for (const bundle of BUNDLES) {
  const dir = join(dist, bundle.dir);
  const files = readdirSync(dir).filter((f) => !f.endsWith('.br') && !f.endsWith('.gz') && statSync(join(dir, f)).isFile());
  const sizes = {};
  for (const f of files) {
    const raw = readFileSync(join(dir, f));
    const br = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
    const gz = gzipSync(raw, { level: 9 });
    writeFileSync(join(dir, f + '.br'), br);
    writeFileSync(join(dir, f + '.gz'), gz);
    sizes[f] = { raw: raw.length, br: br.length, gz: gz.length };
  }
  // A first page loads index.html and what it names: the stylesheet, the JS glue and the
  // wasm module. Anything else (the office's key-derivation worker) loads later, if at all.
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const firstLoad = files.filter((f) => f === 'index.html' || (/\.(css|js|wasm)$/.test(f) && html.includes(f)));
  const later = files.filter((f) => /\.(js|wasm)$/.test(f) && !firstLoad.includes(f));
  let total = 0;
  console.log(`${bundle.name}:`);
  for (const f of firstLoad) {
    total += sizes[f].br;
    console.log(`  ${f.padEnd(44)} ${String(sizes[f].raw).padStart(8)} raw ${String(sizes[f].br).padStart(8)} br ${String(sizes[f].gz).padStart(8)} gz`);
  }
  for (const f of later) {
    console.log(`  ${f.padEnd(44)} ${String(sizes[f].raw).padStart(8)} raw ${String(sizes[f].br).padStart(8)} br (loaded when needed)`);
  }
  // What phones download names no folder of the machine that built it (build-client
  // remaps source paths in panic messages).
  for (const f of firstLoad.filter((f) => /\.(js|wasm)$/.test(f))) {
    const text = readFileSync(join(dir, f)).toString('latin1');
    const leak = [process.cwd(), process.env.HOME, 'registry/src/'].find((p) => p && p !== '/' && text.includes(p));
    if (leak) {
      console.error(`${join(dir, f)} names a folder of the build machine: ${leak}`);
      failed = true;
    }
  }
  console.log(`  first load (${bundle.name}): ${total} bytes brotli (${(total / 1024).toFixed(1)} KiB); budget ${bundle.budget / 1024} KiB`);
  if (total > bundle.budget) {
    console.error(`size budget of the ${bundle.name} bundle exceeded: ${total} > ${bundle.budget}`);
    failed = true;
  }
  if (bundle.module) {
    const module = firstLoad.filter((f) => f.endsWith('.wasm')).reduce((n, f) => n + sizes[f].br, 0);
    console.log(`  its WebAssembly module: ${module} bytes brotli (${(module / 1024).toFixed(1)} KiB); budget ${bundle.module / 1024} KiB`);
    if (module > bundle.module) {
      console.error(`size budget of the ${bundle.name} module exceeded: ${module} > ${bundle.module}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
