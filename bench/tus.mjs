// Benchmark (not a test), run by bench/tus.sh: a 1 GiB upload through tus to Lanterne and
// to @tus/server (bench/tus-ref.mjs), alternately, same machine, same run, with two clients:
// curl (creation, then the whole file in one PATCH: the client costs little, so the servers
// show) and tus-js-client in Node (8 MiB chunks, as a browser would send them). Both servers
// keep their files under os.tmpdir() (TMPDIR): on tmpfs the servers are measured, on a disk
// the kernel's page cache and the disk are. Prints MB/s, the server's CPU time (user +
// system) and its resident memory growth (VmRSS sampled every 20 ms, minus VmRSS before).
// Usage: node bench/tus.mjs [runs]
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';

import { clientAs, freePort, startServer } from '../tests/http/lib/server.mjs';

const runs = Number(process.argv[2] || 3);
const SIZE = 1024 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-tus-bench-'));
const src = path.join(work, 'source.bin');
{ // 1 GiB of pseudo-random bytes
  const c = crypto.createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16));
  const fd = fs.openSync(src, 'w');
  const z = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < SIZE; i += z.length) fs.writeSync(fd, c.update(z));
  fs.closeSync(fd);
}
const cpu = (pid) => { // user + system seconds of a process (clock ticks of 1/100 s)
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const b64 = (s) => Buffer.from(s).toString('base64');
const metaHeader = (m) => Object.entries(m).map(([k, v]) => `${k} ${b64(v)}`).join(',');

async function viaCurl(endpoint, headers, metadata) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...headers, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(SIZE), 'Upload-Metadata': metaHeader(metadata) },
  });
  if (res.status !== 201) throw new Error(`creation: ${res.status} ${await res.text()}`);
  const url = new URL(res.headers.get('location'), endpoint).href;
  const h = Object.entries({ ...headers, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', Expect: '' })
    .flatMap(([k, v]) => ['-H', v ? `${k}: ${v}` : `${k}:`]);
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-m', '300', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PATCH', ...h, '-T', src, url]);
  if (stdout !== '204') throw new Error(`PATCH: ${stdout}`);
}

function viaTusJs(endpoint, headers, metadata) {
  return new Promise((resolve, reject) => {
    new tus.Upload(fs.createReadStream(src), {
      endpoint, chunkSize: CHUNK, headers, metadata, retryDelays: null, onError: reject, onSuccess: resolve,
    }).start();
  });
}

async function measure(send, endpoint, headers, metadata, pid) {
  const base = rss(pid);
  const cpu0 = cpu(pid);
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, rss(pid)); }, 20);
  const t0 = process.hrtime.bigint();
  await send(endpoint, headers, metadata);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, rss(pid));
  return { mbps: SIZE / 1e6 / s, growth: peak - base, cpu: cpu(pid) - cpu0 };
}

const lanterne = await startServer({ env: { LANTERNE_TEST_JOBS: '1', LANTERNE_UPLOAD_MAX_BYTES: String(2 * SIZE) } });
const who = await clientAs(lanterne, 'participant');
const lheaders = { Cookie: who.cookieHeader(), 'X-CSRF-Token': who.csrfToken };
const lanterneUploads = path.join(lanterne.dataDir, 'uploads');
const rport = await freePort();
const rdir = path.join(work, 'ref-files');
fs.mkdirSync(rdir);
const ref = spawn(process.execPath, [path.join(import.meta.dirname, 'tus-ref.mjs'), rdir, String(rport)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => ref.stdout.once('data', resolve));
const clear = (dir) => { for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { force: true }); };

console.log(`tus: 1 GiB, ${runs} runs per side and client, ${os.cpus().length} cores, files under ${os.tmpdir()}`);
const fmt = (r) => `${r.mbps.toFixed(0)} MB/s (CPU ${r.cpu.toFixed(2)} s, RSS +${r.growth.toFixed(1)} MiB)`;
try {
  for (const [name, send] of [['curl', viaCurl], ['tus-js-client', viaTusJs]]) {
    const res = { lanterne: [], ref: [] };
    for (let i = 0; i < runs; i++) {
      res.lanterne.push(await measure(send, `${lanterne.url}/api/v1/uploads`, lheaders, { kind: 'null', filename: 'a.bin' }, lanterne.pid));
      clear(lanterneUploads);
      res.ref.push(await measure(send, `http://127.0.0.1:${rport}/files`, {}, { filename: 'a.bin' }, ref.pid));
      clear(rdir);
    }
    console.log(`${name}:`);
    console.log(`  Lanterne     ${res.lanterne.map(fmt).join('; ')}`);
    console.log(`  @tus/server  ${res.ref.map(fmt).join('; ')}`);
    const best = (side) => Math.max(...res[side].map((r) => r.mbps));
    const median = (side) => { const v = res[side].map((r) => r.mbps).sort((x, y) => x - y); return v[(v.length - 1) >> 1]; };
    const minCpu = (side) => Math.min(...res[side].map((r) => r.cpu));
    const growth = Math.max(...res.lanterne.map((r) => r.growth));
    console.log(`  best: Lanterne ${best('lanterne').toFixed(0)} MB/s, @tus/server ${best('ref').toFixed(0)} MB/s, ratio ${(best('lanterne') / best('ref')).toFixed(2)}x (aim >= 2); median ratio ${(median('lanterne') / median('ref')).toFixed(2)}x; CPU per GiB ${minCpu('lanterne').toFixed(2)} s vs ${minCpu('ref').toFixed(2)} s; Lanterne RSS growth at most ${growth.toFixed(1)} MiB (aim <= 16)`);
  }
} finally {
  ref.kill();
  await lanterne.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
