// Resumable uploads (tus 1.0) under /api/v1/uploads: a 300 MB upload with tus-js-client that
// survives two cut connections and a SIGKILLed server, then the protocol's error answers
// (412, 409, 460, 413, 404/410), termination and expiry. Uses the test-only upload kind
// "test" (LANTERNE_TEST_JOBS=1), whose completion writes the file's sha256 to
// <data dir>/tus-test.log.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tus from 'tus-js-client';

import { clientAs, databaseUrl, freshDataDir, removeDataDir, runCli, startServer } from './lib/server.mjs';

const MB = 1024 * 1024;
const TUS = { 'Tus-Resumable': '1.0.0' };
const ENV = { LANTERNE_TEST_JOBS: '1', LANTERNE_UPLOAD_MAX_BYTES: String(400 * MB) };

/** A file of size pseudo-random bytes from seed (AES-CTR of zeros), cached in tmpdir. */
function seededFile(name, size, seed) {
  const file = path.join(os.tmpdir(), `${name}-${seed}-${size}.bin`);
  const hash = crypto.createHash('sha256');
  const key = crypto.createHash('sha256').update(seed).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(4 * MB);
  const fd = fs.openSync(`${file}.tmp`, 'w');
  for (let done = 0; done < size; done += zeros.length) {
    const block = cipher.update(zeros.subarray(0, Math.min(zeros.length, size - done)));
    hash.update(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  return { file, size, sha256: hash.digest('hex') };
}

function sha256File(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const b = Buffer.alloc(4 * MB);
  let n;
  while ((n = fs.readSync(fd, b, 0, b.length, null)) > 0) hash.update(b.subarray(0, n));
  fs.closeSync(fd);
  return hash.digest('hex');
}

/**
 * A TCP proxy to the server whose port target() gives; it destroys the connection carrying
 * the client's byte number n of cuts (counted over all connections), mid-request.
 */
function cuttingProxy(target, cuts) {
  let sent = 0;
  const pending = [...cuts].sort((a, b) => a - b);
  const made = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(target(), '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const kill = () => { client.destroy(); upstream.destroy(); };
    client.on('data', (d) => {
      if (pending.length && sent + d.length >= pending[0]) {
        const keep = pending[0] - sent;
        made.push(pending.shift());
        sent += d.length;
        upstream.write(d.subarray(0, keep), kill);
        return;
      }
      sent += d.length;
      if (!upstream.write(d)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (d) => client.write(d));
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', kill);
    upstream.on('close', kill);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      made,
      close: () => { for (const s of sockets) s.destroy(); server.close(); },
    }));
  });
}

function authHeaders(client) {
  return { Cookie: client.cookieHeader(), 'X-CSRF-Token': client.csrfToken };
}

async function createUpload(server, client, length, extra = {}) {
  const meta = `kind ${Buffer.from('test').toString('base64')},target ${Buffer.from('1').toString('base64')}`;
  return fetch(`${server.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { ...TUS, ...authHeaders(client), 'Upload-Length': String(length), 'Upload-Metadata': meta, ...extra },
  });
}

async function patch(server, client, loc, offset, body, extra = {}) {
  return fetch(server.url + loc, {
    method: 'PATCH',
    headers: { ...TUS, ...authHeaders(client), 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset), ...extra },
    body,
  });
}

async function head(server, client, loc, extra = {}) {
  return fetch(server.url + loc, { method: 'HEAD', headers: { ...TUS, Cookie: client.cookieHeader(), ...extra } });
}

function testLog(dataDir) {
  const f = path.join(dataDir, 'tus-test.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
}

describe('tus upload through cuts and a SIGKILL', () => {
  let dataDir;
  let server;
  let proxy;
  let src;

  before(async () => {
    src = seededFile('lanterne-tus', 300 * MB, 'lanterne-300');
    dataDir = await freshDataDir();
    server = await startServer({ dataDir, env: ENV });
  });
  after(async () => {
    proxy?.close();
    await server?.stop();
    await removeDataDir(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (src) fs.rmSync(src.file, { force: true });
  });

  test('300 MB, two cut connections, one SIGKILL: the stored file has the source sha256', { timeout: 120_000 }, async () => {
    const client = await clientAs(server, 'participant');
    proxy = await cuttingProxy(() => server.port, [37 * MB + 1234, 111 * MB + 777]);
    const endpoint = `http://127.0.0.1:${proxy.port}/api/v1/uploads`;
    let uploadUrl = null;
    let killed = false;
    let maxSeen = 0;
    // phase 1: until the server dies
    const first = await new Promise((resolve) => {
      const up = new tus.Upload(fs.createReadStream(src.file), {
        endpoint,
        chunkSize: 8 * MB,
        retryDelays: [0, 1000, 3000, 5000],
        headers: authHeaders(client),
        metadata: { kind: 'test', target: '1', filename: 'source.bin' },
        onAfterResponse: () => { if (up.url) uploadUrl = up.url; },
        onProgress: (sent) => {
          maxSeen = Math.max(maxSeen, sent);
          if (!killed && sent > 190 * MB) {
            killed = true;
            process.kill(server.pid, 'SIGKILL');
            up.abort();
            resolve('killed');
          }
        },
        onError: (err) => resolve(`error: ${err.message}`),
        onSuccess: () => resolve('finished too early'),
      });
      up.start();
    });
    if (first !== 'killed') fs.writeFileSync(path.join(os.tmpdir(), 'lanterne-tus-failure.log'), server.logs());
    assert.equal(first, 'killed');
    assert.deepEqual(proxy.made, [37 * MB + 1234, 111 * MB + 777], 'both cuts happened');
    assert.ok(uploadUrl, 'the upload URL was stored');
    await server.exited;
    // phase 2: the same data dir, a new process; the proxy now forwards to it
    server = await startServer({ dataDir, env: ENV });
    const id = uploadUrl.split('/').pop();
    const h = await head(server, client, `/api/v1/uploads/${id}`);
    assert.equal(h.status, 200);
    const offset = Number(h.headers.get('upload-offset'));
    const onDisk = fs.statSync(path.join(dataDir, 'uploads', id)).size;
    assert.ok(offset <= onDisk, `offset ${offset} never past the bytes on disk ${onDisk}`);
    assert.ok(offset > 100 * MB && offset <= maxSeen, `resumes from ${offset}`);
    const second = await new Promise((resolve) => {
      const up = new tus.Upload(fs.createReadStream(src.file), {
        uploadUrl,
        chunkSize: 8 * MB,
        retryDelays: [0, 1000, 3000, 5000],
        headers: authHeaders(client),
        onError: (err) => resolve(`error: ${err.message}`),
        onSuccess: () => resolve('done'),
      });
      up.start();
    });
    assert.equal(second, 'done');
    const line = testLog(dataDir).split('\n').find((l) => l.startsWith(`${id} `));
    assert.ok(line, 'the target got the file');
    const [, sha, len] = line.split(' ');
    assert.equal(Number(len), src.size);
    assert.equal(sha, src.sha256);
    assert.equal(sha256File(path.join(dataDir, 'uploads', id)), src.sha256);
    const done = await head(server, client, `/api/v1/uploads/${id}`);
    assert.equal(done.headers.get('upload-offset'), String(src.size));
  });
});

describe('tus protocol answers', () => {
  let server;
  let alice;
  before(async () => {
    server = await startServer({ env: { ...ENV, LANTERNE_UPLOAD_MAX_BYTES: String(4 * MB) } });
    alice = await clientAs(server, 'participant');
  });
  after(async () => { await server?.stop(); });

  test('OPTIONS tells the version, extensions, max size and checksum algorithm', async () => {
    const res = await fetch(`${server.url}/api/v1/uploads`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('tus-version'), '1.0.0');
    assert.equal(res.headers.get('tus-extension'), 'creation,creation-with-upload,termination,expiration,checksum');
    assert.equal(res.headers.get('tus-max-size'), String(4 * MB));
    assert.equal(res.headers.get('tus-checksum-algorithm'), 'sha256');
  });

  test('no session: 401; no CSRF token: 403', async () => {
    const anon = await fetch(`${server.url}/api/v1/uploads`, { method: 'POST', headers: { ...TUS, 'Upload-Length': '10' } });
    assert.equal(anon.status, 401);
    const noCsrf = await fetch(`${server.url}/api/v1/uploads`, {
      method: 'POST', headers: { ...TUS, Cookie: alice.cookieHeader(), 'Upload-Length': '10' },
    });
    assert.equal(noCsrf.status, 403);
  });

  test('a wrong Tus-Resumable: 412 with Tus-Version', async () => {
    const res = await createUpload(server, alice, 10, { 'Tus-Resumable': '0.2.2' });
    assert.equal(res.status, 412);
    assert.equal(res.headers.get('tus-version'), '1.0.0');
  });

  test('creation: unknown kind 422, over the maximum 413, then bytes, 409 on a wrong offset', async () => {
    const noKind = await fetch(`${server.url}/api/v1/uploads`, {
      method: 'POST', headers: { ...TUS, ...authHeaders(alice), 'Upload-Length': '10', 'Upload-Metadata': `kind ${Buffer.from('nope').toString('base64')}` },
    });
    assert.equal(noKind.status, 422);
    const big = await createUpload(server, alice, 4 * MB + 1);
    assert.equal(big.status, 413);
    const res = await createUpload(server, alice, 10);
    assert.equal(res.status, 201);
    const loc = res.headers.get('location');
    assert.match(loc, /^\/api\/v1\/uploads\/[0-9a-f]{32}$/);
    assert.ok(res.headers.get('upload-expires'));
    const p1 = await patch(server, alice, loc, 0, Buffer.from('hello'));
    assert.equal(p1.status, 204);
    assert.equal(p1.headers.get('upload-offset'), '5');
    const wrong = await patch(server, alice, loc, 3, Buffer.from('xx'));
    assert.equal(wrong.status, 409);
    const tooMuch = await patch(server, alice, loc, 5, Buffer.from('0123456789'));
    assert.equal(tooMuch.status, 413);
    const h = await head(server, alice, loc);
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('upload-offset'), '5');
    assert.equal(h.headers.get('upload-length'), '10');
    assert.equal(h.headers.get('cache-control'), 'no-store');
    assert.match(h.headers.get('upload-metadata'), /kind dGVzdA==/);
    const p2 = await patch(server, alice, loc, 5, Buffer.from('world'));
    assert.equal(p2.status, 204);
    assert.equal(p2.headers.get('upload-offset'), '10');
    const sha = crypto.createHash('sha256').update('helloworld').digest('hex');
    assert.match(testLog(server.dataDir), new RegExp(`${loc.split('/').pop()} ${sha} 10`));
  });

  test('checksum: a mismatch is 460 and the offset stays; a match is kept', async () => {
    const loc = (await createUpload(server, alice, 8)).headers.get('location');
    const body = Buffer.from('abcd');
    const bad = crypto.createHash('sha256').update('abce').digest('base64');
    const r1 = await patch(server, alice, loc, 0, body, { 'Upload-Checksum': `sha256 ${bad}` });
    assert.equal(r1.status, 460);
    assert.equal((await head(server, alice, loc)).headers.get('upload-offset'), '0');
    assert.equal(fs.statSync(path.join(server.dataDir, 'uploads', loc.split('/').pop())).size, 0);
    const good = crypto.createHash('sha256').update(body).digest('base64');
    const r2 = await patch(server, alice, loc, 0, body, { 'Upload-Checksum': `sha256 ${good}` });
    assert.equal(r2.status, 204);
    assert.equal(r2.headers.get('upload-offset'), '4');
    const r3 = await patch(server, alice, loc, 4, body, { 'Upload-Checksum': `md5 ${good}` });
    assert.equal(r3.status, 400);
  });

  test('creation-with-upload', async () => {
    const res = await createUpload(server, alice, 6, { 'Content-Type': 'application/offset+octet-stream' });
    // fetch cannot send a body with those headers above (no body given): send one
    assert.equal(res.status, 201);
    const meta = `kind ${Buffer.from('test').toString('base64')}`;
    const r2 = await fetch(`${server.url}/api/v1/uploads`, {
      method: 'POST',
      headers: { ...TUS, ...authHeaders(alice), 'Upload-Length': '6', 'Upload-Metadata': meta, 'Content-Type': 'application/offset+octet-stream' },
      body: Buffer.from('abc'),
    });
    assert.equal(r2.status, 201);
    assert.equal(r2.headers.get('upload-offset'), '3');
  });

  test("another user's upload: 404; termination: 204 then 404", async () => {
    const loc = (await createUpload(server, alice, 10)).headers.get('location');
    const bob = await clientAs(server, 'supervisor');
    assert.equal((await head(server, bob, loc)).status, 404);
    assert.equal((await patch(server, bob, loc, 0, Buffer.from('x'))).status, 404);
    const del = await fetch(server.url + loc, { method: 'DELETE', headers: { ...TUS, ...authHeaders(bob) } });
    assert.equal(del.status, 404);
    const mine = await fetch(server.url + loc, { method: 'DELETE', headers: { ...TUS, ...authHeaders(alice) } });
    assert.equal(mine.status, 204);
    assert.equal((await head(server, alice, loc)).status, 404);
    assert.equal(fs.existsSync(path.join(server.dataDir, 'uploads', loc.split('/').pop())), false);
  });

  test('expiry: 410 once expires_at passed, and the periodic job deletes row and file', async () => {
    const loc = (await createUpload(server, alice, 10)).headers.get('location');
    const id = loc.split('/').pop();
    const sql = `UPDATE uploads SET expires_at = 1 WHERE id = '${id}'`;
    const url = databaseUrl(server.dataDir);
    const r = url
      ? spawnSync('psql', ['-X', '-q', '-d', url, '-c', sql])
      : spawnSync('sqlite3', [path.join(server.dataDir, 'lanterne.db'), sql]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal((await head(server, alice, loc)).status, 410);
    assert.equal((await patch(server, alice, loc, 0, Buffer.from('x'))).status, 410);
    // the periodic job, enqueued by hand, run by the server's worker
    const job = await runCli(['jobs', 'enqueue', 'upload_expire', '{}'], { dataDir: server.dataDir, env: ENV });
    assert.equal(job.code, 0, job.stderr);
    const file = path.join(server.dataDir, 'uploads', id);
    for (let i = 0; i < 100 && fs.existsSync(file); i++) await new Promise((res) => setTimeout(res, 100));
    assert.equal(fs.existsSync(file), false, 'the expired file is gone');
    assert.equal((await head(server, alice, loc)).status, 404);
  });
});
