// File responses with byte ranges (http_respond_file): 200 without Range, 206 with exact
// bytes for a single range (a-b, a-, -n), 416 past the end, 200 for several ranges. Served
// through the test-only route GET /test-files/{name} (LANTERNE_TEST_JOBS=1), which
// sends a file of <data dir>/test-files/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startServer } from './lib/server.mjs';

const SIZE = 5 * 1024 * 1024 + 123;

describe('byte ranges', () => {
  let server;
  let data;
  let url;
  before(async () => {
    const key = crypto.createHash('sha256').update('range').digest();
    data = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(SIZE));
    server = await startServer({
      env: { LANTERNE_TEST_JOBS: '1' },
      setup: (dir) => {
        fs.mkdirSync(path.join(dir, 'test-files'));
        fs.writeFileSync(path.join(dir, 'test-files', 'film.bin'), data);
        fs.writeFileSync(path.join(dir, 'test-files', 'empty.bin'), '');
      },
    });
    url = `${server.url}/test-files/film.bin`;
  });
  after(async () => { await server?.stop(); });

  const get = async (range, u = url) => {
    const res = await fetch(u, { headers: range ? { Range: range } : {} });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  test('no Range: 200, the whole file, Accept-Ranges and ETag', async () => {
    const { res, body } = await get(null);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-length'), String(SIZE));
    assert.ok(res.headers.get('etag'));
    assert.ok(body.equals(data));
  });

  test('single ranges: 206 with exact bytes and Content-Range', async () => {
    const cases = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=1000-1048575', 1000, 1048575],
      [`bytes=${SIZE - 10}-`, SIZE - 10, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      [`bytes=${SIZE - 5}-${SIZE + 1000}`, SIZE - 5, SIZE - 1],
      [`bytes=-${SIZE + 10}`, 0, SIZE - 1],
      ['bytes=3000000-', 3000000, SIZE - 1],
    ];
    for (const [range, a, b] of cases) {
      const { res, body } = await get(range);
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${a}-${b}/${SIZE}`, range);
      assert.equal(res.headers.get('content-length'), String(b - a + 1), range);
      assert.ok(body.equals(data.subarray(a, b + 1)), `bytes of ${range}`);
    }
  });

  test('past the end: 416 with Content-Range bytes */size', async () => {
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-${SIZE + 10}`, 'bytes=-0']) {
      const { res } = await get(range);
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get('content-range'), `bytes */${SIZE}`);
    }
    const { res } = await get('bytes=0-', `${server.url}/test-files/empty.bin`);
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), 'bytes */0');
  });

  test('several ranges, another unit or a malformed one: 200 with the whole file', async () => {
    for (const range of ['bytes=0-1,5-6', 'items=0-5', 'bytes=9-2', 'bytes=x-']) {
      const { res, body } = await get(range);
      assert.equal(res.status, 200, range);
      assert.ok(body.equals(data), range);
    }
  });

  test('curl gets exact bytes; HEAD tells the length', async () => {
    const out = spawnSync('curl', ['-s', '-r', '4096-8191', url], { maxBuffer: 1 << 24 });
    assert.equal(out.status, 0);
    assert.ok(out.stdout.equals(data.subarray(4096, 8192)));
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(SIZE));
    const empty = await get(null, `${server.url}/test-files/empty.bin`);
    assert.equal(empty.res.status, 200);
    assert.equal(empty.body.length, 0);
  });

  test('unknown or unsafe names: 404', async () => {
    for (const name of ['nope.bin', '..%2Flanterne.db', '.hidden']) {
      const { res } = await get(null, `${server.url}/test-files/${name}`);
      assert.equal(res.status, 404, name);
    }
  });
});

describe('the test route outside tests', () => {
  test('without LANTERNE_TEST_JOBS=1 it answers 404', async () => {
    const server = await startServer({
      setup: (dir) => {
        fs.mkdirSync(path.join(dir, 'test-files'));
        fs.writeFileSync(path.join(dir, 'test-files', 'film.bin'), 'x');
      },
    });
    try {
      const res = await fetch(`${server.url}/test-files/film.bin`);
      assert.equal(res.status, 404);
    } finally {
      await server.stop();
    }
  });
});
