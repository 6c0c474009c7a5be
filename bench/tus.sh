#!/bin/bash
# Benchmark (not a test): a 1 GiB upload with tus-js-client (Node, chunkSize 8 MiB) to
# Lanterne's tus endpoint and to the reference server @tus/server with @tus/file-store, both
# from node_modules, on this machine, in the same run, alternately (runs per side: $1, default
# 2). Prints MB/s per run, the CPU time the server process used (user + system) and its
# resident memory growth (VmRSS sampled every 20 ms during the upload, minus VmRSS just before
# it). Lanterne fsyncs at the end of every PATCH and stores the offset durably;
# @tus/file-store does neither. On a small machine the client (tus-js-client in Node) is the
# limit for both sides: the server CPU per GiB shows what each server costs.
# Usage: bench/tus.sh [runs]   (LANTERNE_BIN: the binary, default build/lanterne)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-2}
export LANTERNE_PWHASH_FAST=1
work=$(mktemp -d /tmp/lanterne-tus-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/ref.mjs" <<'JS'
// the reference: @tus/server + @tus/file-store, default options
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';
const [dir, port] = process.argv.slice(2);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), '127.0.0.1', () => console.log('ready'));
JS
cat >"$work/bench.mjs" <<'JS'
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { clientAs, freePort, startServer } from '../../work/films/tests/http/lib/server.mjs';

const [work, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const SIZE = 1024 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;
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

async function upload(endpoint, headers, metadata, pid) {
  const base = rss(pid);
  const cpu0 = cpu(pid);
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, rss(pid)); }, 20);
  const t0 = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    new tus.Upload(fs.createReadStream(src), {
      endpoint, chunkSize: CHUNK, headers, metadata, retryDelays: null,
      onError: reject, onSuccess: resolve,
    }).start();
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, rss(pid));
  return { s, mbps: SIZE / 1e6 / s, growth: peak - base, cpu: cpu(pid) - cpu0 };
}

// Lanterne: its own data dir (the fixture database), a participant's session
const lanterne = await startServer({ env: { LANTERNE_TEST_JOBS: '1', LANTERNE_UPLOAD_MAX_BYTES: String(2 * SIZE) } });
const who = await clientAs(lanterne, 'participant');
const lheaders = { Cookie: who.cookieHeader(), 'X-CSRF-Token': who.csrfToken };
// the reference
const rport = await freePort();
const rdir = path.join(work, 'ref-files');
fs.mkdirSync(rdir);
const ref = spawn(process.execPath, [path.join(work, 'ref.mjs'), rdir, String(rport)], {
  cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: path.resolve('node_modules') },
});
await new Promise((resolve) => ref.stdout.once('data', resolve));

const results = { lanterne: [], ref: [] };
for (let i = 0; i < runs; i++) {
  const l = await upload(`${lanterne.url}/api/v1/uploads`, lheaders, { kind: 'null', filename: 'a.bin' }, lanterne.pid);
  results.lanterne.push(l);
  for (const f of fs.readdirSync(path.join(lanterne.dataDir, 'uploads'))) fs.rmSync(path.join(lanterne.dataDir, 'uploads', f));
  const r = await upload(`http://127.0.0.1:${rport}/files`, {}, { filename: 'a.bin' }, ref.pid);
  results.ref.push(r);
  for (const f of fs.readdirSync(rdir)) fs.rmSync(path.join(rdir, f));
}
ref.kill();
await lanterne.stop();
const fmt = (r) => `${r.mbps.toFixed(0)} MB/s (${r.s.toFixed(2)} s), server CPU ${r.cpu.toFixed(2)} s, RSS +${r.growth.toFixed(1)} MiB`;
for (const side of ['lanterne', 'ref']) {
  console.log(`${side === 'lanterne' ? 'Lanterne     ' : '@tus/server  '} ${results[side].map(fmt).join('; ')}`);
}
const best = (side) => Math.max(...results[side].map((r) => r.mbps));
const growth = Math.max(...results.lanterne.map((r) => r.growth));
const minCpu = (side) => Math.min(...results[side].map((r) => r.cpu));
console.log(`best of ${runs}: Lanterne ${best('lanterne').toFixed(0)} MB/s, @tus/server ${best('ref').toFixed(0)} MB/s, ratio ${(best('lanterne') / best('ref')).toFixed(2)}x; server CPU per GiB: Lanterne ${minCpu('lanterne').toFixed(2)} s, @tus/server ${minCpu('ref').toFixed(2)} s (${(minCpu('ref') / minCpu('lanterne')).toFixed(1)}x less for Lanterne); Lanterne RSS growth at most ${growth.toFixed(1)} MiB (aim <= 16)`);
JS
# the script imports the test helpers by a path relative to itself: put it beside them
mkdir -p "$work/run"
sed "s#'../../work/films/tests/http/lib/server.mjs'#'$(pwd)/tests/http/lib/server.mjs'#" "$work/bench.mjs" >"$work/run/bench.mjs"
# resolve tus-js-client and @tus/* from this repository's node_modules
ln -s "$(pwd)/node_modules" "$work/node_modules"
echo "tus: 1 GiB, chunkSize 8 MiB, $runs runs per side, $(nproc) cores"
node "$work/run/bench.mjs" "$work" "$runs"
