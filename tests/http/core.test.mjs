import http from 'node:http';
// The HTTP core: health, languages, security headers, errors in the site's look, the
// named limits of src/http/http.h (each crossed by one request), static files, keep-alive,
// the access log, graceful shutdown, and query strings full of metacharacters.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, RawConnection, rawGet, rawRequest, startServer } from './lib/server.mjs';

const MAX_BODY = 1024 * 1024; // HTTP_MAX_BODY_BYTES
const MAX_FIELDS = 200; // HTTP_MAX_FORM_FIELDS
const MAX_URL = 4096; // HTTP_MAX_URL_BYTES
const MAX_HEADER = 16 * 1024; // HTTP_MAX_HEADER_BYTES

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  if (server) await server.stop();
});

/** Asserts the security headers every answer must carry (headers: fetch Headers or a plain object). */
function assertSecurityHeaders(headers, what) {
  const get = (k) => (typeof headers.get === 'function' ? headers.get(k) : headers[k.toLowerCase()]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.ok(!csp.includes("'unsafe-inline'"), `${what}: CSP allows 'unsafe-inline': ${csp}`);
  assert.ok(!csp.includes("'unsafe-eval'"), `${what}: CSP allows 'unsafe-eval': ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP without frame-ancestors 'none': ${csp}`);
  assert.match(csp, /default-src 'self'/, `${what}: CSP without default-src 'self'`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(get('referrer-policy'), `${what}: no Referrer-Policy`);
}

/** A form body of exactly n bytes: the given fields, then a padding field. */
function formOfSize(n, fields) {
  const head = `${new URLSearchParams(fields).toString()}&pad=`;
  assert.ok(head.length < n);
  return head + 'x'.repeat(n - head.length);
}

function pairs(n, prefix = 'f') {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}=${i}`).join('&');
}

describe('basics', () => {
  test('/healthz answers 200 {"status":"ok"} as JSON', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('HEAD /healthz answers 200 without a body', async () => {
    const res = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });

  test('home page is French by default', async () => {
    const res = await new Client(server.url).get('/');
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^text\/html; charset=utf-8/i);
    assert.match(res.text, /<html lang="fr"/);
    assert.match(res.text, /<header class="site-header"/);
    assert.match(res.text, /hreflang="en"/, 'the French page offers the English switch');
  });

  test('home page is English with Accept-Language: en', async () => {
    const res = await new Client(server.url).get('/', { headers: { 'Accept-Language': 'en' } });
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="en"/);
    assert.match(res.text, /hreflang="fr"/, 'the English page offers the French switch');
  });

  test('Accept-Language: the highest q wins (fr;q=0.5, en-GB → en; en;q=0.1, fr-FR → fr)', async () => {
    const c = new Client(server.url);
    assert.match((await c.get('/', { headers: { 'Accept-Language': 'fr;q=0.5, en-GB' } })).text, /<html lang="en"/);
    assert.match((await c.get('/', { headers: { 'Accept-Language': 'en;q=0.1, fr-FR' } })).text, /<html lang="fr"/);
  });

  test('/langue/en sets a lang cookie that wins over Accept-Language; /langue/fr switches back', async () => {
    const c = new Client(server.url);
    const sw = await c.get('/langue/en?next=%2Fstructures');
    assert.equal(sw.status, 303);
    assert.equal(sw.location, '/structures');
    assert.ok(sw.setCookies.some((s) => /^lang=en;/.test(s)), `Set-Cookie: ${sw.setCookies}`);
    const en = await c.get('/', { headers: { 'Accept-Language': 'fr' } });
    assert.match(en.text, /<html lang="en"/);
    await c.get('/langue/fr');
    const fr = await c.get('/', { headers: { 'Accept-Language': 'en' } });
    assert.match(fr.text, /<html lang="fr"/);
  });

  test('/langue/{lang} redirects only to local paths and refuses unknown languages', async () => {
    const c = new Client(server.url);
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await c.get(`/langue/en?next=${encodeURIComponent(next)}`);
      assert.equal(res.status, 303, next);
      assert.equal(res.location, '/', `next=${next} must not leave the site`);
    }
    const bad = await c.get('/langue/de');
    assert.equal(bad.status, 404);
  });
});

describe('security headers', () => {
  test('on a page, a 404, a 405, a static file, an API answer, an API error and a redirect', async () => {
    const c = new Client(server.url);
    const home = await c.get('/');
    const css = home.text.match(/<link rel="stylesheet" href="([^"]+)"/)[1];
    const cases = [
      ['page', 'GET', '/'],
      ['404 page', 'GET', '/nulle-part'],
      ['405', 'DELETE', '/healthz'],
      ['static', 'GET', css],
      ['API', 'GET', '/api/v1/communes?q=lyon'],
      ['API error', 'GET', '/api/v1/communes'],
      ['redirect', 'GET', '/langue/fr'],
      ['health', 'GET', '/healthz'],
    ];
    for (const [what, method, p] of cases) {
      const res = await fetch(server.url + p, { method, redirect: 'manual' });
      await res.arrayBuffer();
      assertSecurityHeaders(res.headers, `${what} (${method} ${p} → ${res.status})`);
    }
  });

  test('on the answers the core sends itself (400, 414, 413)', async () => {
    const r400 = await rawRequest(server.port, rawGet('/%ZZ'));
    assertSecurityHeaders(r400.headers, '400');
    const r414 = await rawRequest(server.port, rawGet(`/${'a'.repeat(MAX_URL + 10)}`));
    assertSecurityHeaders(r414.headers, '414');
    const r413 = await rawRequest(
      server.port,
      `POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`,
    );
    assertSecurityHeaders(r413.headers, '413');
  });
});

describe('errors', () => {
  test('an unknown route is a 404 HTML page in the site\'s look', async () => {
    const res = await new Client(server.url).get('/cette-page-n-existe-pas');
    assert.equal(res.status, 404);
    assert.match(res.contentType, /^text\/html/);
    assert.match(res.text, /<html lang="fr"/);
    assert.match(res.text, /<header class="site-header"/, 'layout header');
    assert.match(res.text, /<footer class="site-footer"/, 'layout footer');
    assert.match(res.text, /404/);
  });

  test('a 404 page follows the language too', async () => {
    const res = await new Client(server.url).get('/nulle-part', { headers: { 'Accept-Language': 'en' } });
    assert.equal(res.status, 404);
    assert.match(res.text, /<html lang="en"/);
  });

  test('a wrong method is 405 with Allow', async () => {
    const c = new Client(server.url);
    const a = await c.request('DELETE', '/', { csrf: false });
    assert.equal(a.status, 405);
    assert.equal(a.headers.get('allow'), 'GET');
    const b = await c.request('PUT', '/connexion', { csrf: false, body: '' });
    assert.equal(b.status, 405);
    assert.deepEqual(b.headers.get('allow').split(/,\s*/).sort(), ['GET', 'POST']);
    const api = await c.request('PATCH', '/api/v1/communes', { csrf: false, body: '' });
    assert.equal(api.status, 405);
    assert.equal(api.headers.get('allow'), 'GET');
    assert.match(api.contentType, /^application\/problem\+json/);
  });

  test('HEAD is answered like GET (not 405)', async () => {
    const res = await fetch(`${server.url}/`, { method: 'HEAD' });
    assert.equal(res.status, 200);
  });
});

describe('malformed requests', () => {
  for (const [what, target] of [
    ['bad percent-encoding in the query', '/structures?q=%ZZ'],
    ['truncated percent-encoding in the query', '/structures?q=abc%4'],
    ['bad percent-encoding in the path', '/structures%ZZ'],
    ['percent-encoded invalid UTF-8 in the path', '/%C3%28'],
    ['percent-encoded invalid UTF-8 in the query', '/structures?q=%C3%28'],
    ['overlong UTF-8 (%C0%AF)', '/structures?q=%C0%AF'],
    ['UTF-16 surrogate encoded in UTF-8', '/structures?q=%ED%A0%80'],
    ['NUL in the path', '/structures%00'],
    ['NUL in the query', '/structures?q=a%00b'],
    ['NUL in a query key', '/structures?a%00=1'],
  ]) {
    test(`${what} (${target}) → 400`, async () => {
      const res = await rawRequest(server.port, rawGet(target));
      assert.equal(res.status, 400, `${target}: ${res.statusLine}`);
    });
  }

  test('raw invalid UTF-8 bytes in the path → 400', async () => {
    const res = await rawRequest(server.port, rawGet(Buffer.from([0x2f, 0x73, 0xff, 0xfe])));
    assert.equal(res.status, 400);
  });

  test('raw invalid UTF-8 bytes in the query → 400', async () => {
    const target = Buffer.concat([Buffer.from('/structures?q='), Buffer.from([0xc3, 0x28])]);
    const res = await rawRequest(server.port, rawGet(target));
    assert.equal(res.status, 400);
  });

  test('a malformed form body → 400', async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const res = await c.request('POST', '/connexion', {
      body: `_csrf=${token}&login=%ZZ&password=x`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      csrf: false,
    });
    assert.equal(res.status, 400);
  });

  test('valid UTF-8 (é, Œ, emoji) in path and query is fine', async () => {
    const res = await rawRequest(server.port, rawGet('/structures?q=%C3%A9%C5%92%F0%9F%8E%AC'));
    assert.equal(res.status, 200);
  });
});

describe('limits', () => {
  test(`a path over ${MAX_URL} bytes → 414`, async () => {
    const res = await rawRequest(server.port, rawGet(`/${'a'.repeat(MAX_URL)}`));
    assert.equal(res.status, 414);
  });

  test(`a path of ${MAX_URL} bytes is not 414`, async () => {
    const res = await rawRequest(server.port, rawGet(`/${'a'.repeat(MAX_URL - 1)}`));
    assert.equal(res.status, 404);
  });

  test(`path + query over ${MAX_URL} bytes → 414 (the limit counts the query too)`, async () => {
    const target = `/structures?q=${'a'.repeat(MAX_URL)}`;
    const res = await rawRequest(server.port, rawGet(target));
    assert.equal(res.status, 414, `GET ${target.slice(0, 30)}… (${target.length} bytes) answered ${res.statusLine}`);
  });

  async function bigHeaders(size) {
    const conn = new RawConnection(server.port);
    await conn.connect();
    try {
      const res = await conn.send(rawGet('/', [`X-Filler: ${'a'.repeat(size)}`]));
      return { res, closed: await conn.closesWithin(5000) };
    } finally {
      conn.destroy();
    }
  }

  // MHD answers too-large headers itself, with 431 Request Header Fields Too Large, and
  // closes the connection; it does so once the headers pass its connection memory limit.
  test(`request headers far over the limit (${(4 * MAX_HEADER) / 1024} KiB) → 431, connection closed`, async () => {
    const { res, closed } = await bigHeaders(4 * MAX_HEADER);
    assert.ok(res.status >= 400, res.statusLine);
    assert.equal(res.status, 431, res.statusLine);
    assert.ok(closed, 'the server keeps the connection open after 431');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is fine afterwards');
  });

  test(`request headers just over ${MAX_HEADER / 1024} KiB (HTTP_MAX_HEADER_BYTES) → 431`, async () => {
    const { res } = await bigHeaders(MAX_HEADER + 1024);
    assert.equal(res.status, 431, `${MAX_HEADER + 1024} bytes of headers answered ${res.statusLine}`);
  });

  test('request headers under the limit are accepted', async () => {
    const res = await rawRequest(server.port, rawGet('/healthz', [`X-Filler: ${'a'.repeat(MAX_HEADER - 1024)}`]));
    assert.equal(res.status, 200);
  });

  test('a body over 1 MiB (Content-Length) → 413 before the body is sent', async () => {
    const conn = new RawConnection(server.port);
    await conn.connect();
    try {
      const head =
        'POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`;
      const answer = conn.response({ timeout: 10_000 });
      await conn.write(head);
      await conn.write('x'.repeat(16 * 1024)).catch(() => {}); // a little of the body, not all
      const res = await answer;
      assert.equal(res.status, 413);
      assert.ok(conn.bytesWritten < head.length + MAX_BODY + 1, 'the answer came before the whole body');
      assert.ok(await conn.closesWithin(5000), 'the connection is closed after 413');
    } finally {
      conn.destroy();
    }
  });

  test('a chunked body over 1 MiB → 413', async () => {
    const conn = new RawConnection(server.port);
    await conn.connect();
    try {
      const answer = conn.response({ timeout: 10_000 });
      answer.catch(() => {});
      await conn.write(
        'POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = 64 * 1024;
      try {
        for (let sent = 0; sent <= MAX_BODY; sent += chunk) {
          await conn.write(`${chunk.toString(16)}\r\n${'x'.repeat(chunk)}\r\n`);
          if (conn.isClosed || conn.buf.length) break; // answered early
        }
        await conn.write('0\r\n\r\n');
      } catch { /* the server closed while we wrote: its answer is what counts */ }
      const res = await answer;
      assert.equal(res.status, 413);
    } finally {
      conn.destroy();
    }
  });

  test('a body of exactly 1 MiB is accepted (not 413)', async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    // login empty: the handler answers 422 without checking any password
    const body = formOfSize(MAX_BODY, { _csrf: token, login: '' });
    assert.equal(Buffer.byteLength(body), MAX_BODY);
    const res = await c.request('POST', '/connexion', {
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      csrf: false,
    });
    assert.notEqual(res.status, 413);
    assert.equal(res.status, 422);
  });

  test(`${MAX_FIELDS} query fields are accepted, ${MAX_FIELDS + 1} → 400`, async () => {
    const ok = await fetch(`${server.url}/healthz?${pairs(MAX_FIELDS)}`);
    assert.equal(ok.status, 200);
    const bad = await fetch(`${server.url}/healthz?${pairs(MAX_FIELDS + 1)}`);
    assert.equal(bad.status, 400);
  });

  test(`${MAX_FIELDS} form fields are accepted, ${MAX_FIELDS + 1} → 400`, async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const send = (n) =>
      c.request('POST', '/connexion', {
        // _csrf + login + n-2 fillers = n fields; no password, so 422 when accepted
        body: `_csrf=${token}&login=x&${pairs(n - 2)}`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        csrf: false,
      });
    const ok = await send(MAX_FIELDS);
    assert.equal(ok.status, 422, `${MAX_FIELDS} fields: ${ok.status}`);
    const bad = await send(MAX_FIELDS + 1);
    assert.equal(bad.status, 400, `${MAX_FIELDS + 1} fields: ${bad.status}`);
  });

  test(`over ${MAX_FIELDS} cookies → 400`, async () => {
    const many = Array.from({ length: MAX_FIELDS + 1 }, (_, i) => `c${i}=1`).join('; ');
    const res = await rawRequest(server.port, rawGet('/', [`Cookie: ${many}`]));
    assert.equal(res.status, 400);
  });
});

describe('static files', () => {
  let cssUrl;
  before(async () => {
    const home = await new Client(server.url).get('/');
    cssUrl = home.text.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
  });

  test('the fingerprinted CSS is immutable with a strong ETag; If-None-Match → 304', async () => {
    assert.match(cssUrl, /^\/static\/css\/site\.[0-9a-f]{10}\.css$/);
    const res = await fetch(server.url + cssUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/css/);
    assert.match(res.headers.get('cache-control'), /immutable/);
    assert.match(res.headers.get('cache-control'), /max-age=\d{6,}/);
    const etag = res.headers.get('etag');
    assert.match(etag, /^"[^"]+"$/, `strong ETag expected, got ${etag}`);
    assert.ok((await res.text()).length > 100);
    const again = await fetch(server.url + cssUrl, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('etag'), etag);
    const other = await fetch(server.url + cssUrl, { headers: { 'If-None-Match': '"autre"' } });
    assert.equal(other.status, 200);
    await other.arrayBuffer();
  });

  test('the plain name /static/css/site.css → 200 without immutable', async () => {
    const res = await fetch(`${server.url}/static/css/site.css`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/css/);
    const cc = res.headers.get('cache-control') || '';
    assert.ok(!cc.includes('immutable'), `Cache-Control: ${cc}`);
    const fp = await fetch(server.url + cssUrl);
    assert.equal(await res.text(), await fp.text(), 'same content under both names');
  });

  test('unknown or escaping static paths → 404', async () => {
    for (const p of ['/static/css/nope.css', '/static/../src/main.c', '/static/%2e%2e/Makefile', '/static/css/..%2f..%2fMakefile']) {
      const res = await rawRequest(server.port, rawGet(p));
      assert.equal(res.status, 404, `${p}: ${res.statusLine}`);
      assert.ok(!/Lanterne build|#include/.test(res.text), `${p} leaked a file`);
    }
  });
});

describe('connections and logs', () => {
  test('keep-alive: two requests on one connection', async () => {
    const conn = new RawConnection(server.port);
    await conn.connect();
    try {
      const req = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
      const a = await conn.send(req);
      assert.equal(a.status, 200);
      assert.equal(a.text, '{"status":"ok"}');
      assert.ok(!conn.isClosed, 'the server closed a keep-alive connection');
      const b = await conn.send(req);
      assert.equal(b.status, 200);
      assert.equal(b.text, '{"status":"ok"}');
      // pipelined: both requests written at once
      const r1 = conn.response();
      const r2 = conn.response();
      await conn.write(req + req.replace('/healthz', '/nulle-part'));
      assert.equal((await r1).status, 200);
      assert.equal((await r2).status, 404);
    } finally {
      conn.destroy();
    }
  });

  test('one access-log line per request on stderr: address, method, path, status, bytes, duration', async () => {
    const marker = `/journal-${Date.now()}`;
    const res = await fetch(server.url + marker);
    const body = await res.arrayBuffer();
    assert.equal(res.status, 404);
    const esc = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = await server.waitForLog(new RegExp(`^127\\.0\\.0\\.1 GET ${esc} (\\d{3}) (\\d+) (\\d+(?:\\.\\d+)?)ms$`, 'm'));
    assert.equal(Number(m[1]), 404);
    assert.equal(Number(m[2]), body.byteLength);
    const count = server.logs().split('\n').filter((l) => l.includes(` ${marker} `)).length;
    assert.equal(count, 1, 'exactly one line');
    await fetch(`${server.url}/healthz?x=1`).then((r) => r.arrayBuffer());
    await server.waitForLog(/^127\.0\.0\.1 GET \/healthz 200 15 \d+(\.\d+)?ms$/m);
  });

  test('the access log does not record query strings (they may hold personal data)', async () => {
    await fetch(`${server.url}/structures?q=secret-${process.pid}`).then((r) => r.arrayBuffer());
    await server.waitForLog(/GET \/structures 200 /);
    assert.ok(!server.logs().includes(`secret-${process.pid}`));
  });
});

describe('metacharacters are text', () => {
  async function structureTotal() {
    const res = await fetch(`${server.url}/api/v1/structures?per_page=1`);
    assert.equal(res.status, 200);
    return (await res.json()).total;
  }

  test("SQL in q (' ; DROP TABLE structures; --) is searched for, not run", async () => {
    const before = await structureTotal();
    assert.ok(before > 0, 'the demo has structures');
    for (const q of ["'; DROP TABLE structures;--", "' OR '1'='1", '%', '_', '\\', '" OR 1=1 --']) {
      const page = await fetch(`${server.url}/structures?q=${encodeURIComponent(q)}`);
      assert.equal(page.status, 200, `/structures?q=${q}`);
      await page.arrayBuffer();
      const api = await fetch(`${server.url}/api/v1/structures?q=${encodeURIComponent(q)}`);
      assert.equal(api.status, 200, `/api/v1/structures?q=${q}`);
      const body = await api.json();
      assert.equal(body.total, 0, `q=${q} matched ${body.total} structures`);
      const communes = await fetch(`${server.url}/api/v1/communes?q=${encodeURIComponent(q)}`);
      assert.ok([200, 422].includes(communes.status), `/api/v1/communes?q=${q}: ${communes.status}`);
      if (communes.status === 200) assert.equal((await communes.json()).items.length, 0, `communes q=${q}`);
      else await communes.arrayBuffer();
    }
    assert.equal(await structureTotal(), before, 'the structures are all still there');
  });

  test('HTML in q is escaped in the page', async () => {
    const q = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const res = await new Client(server.url).get(`/structures?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('<script>alert(1)'), 'raw <script> reflected');
    assert.ok(!res.text.includes('<img src=x'), 'raw <img> reflected');
    assert.ok(!/<script\b/i.test(res.text.replace(/<script src="\/static\/[^"]+" defer><\/script>/g, '')),
      'no inline script at all');
    if (res.text.includes('alert(1)')) assert.ok(res.text.includes('&lt;script&gt;alert(1)'), 'echoed, but escaped');
  });

  test('HTML in a 404 path is escaped', async () => {
    const res = await new Client(server.url).get(`/${encodeURIComponent('<b>x</b>')}`);
    assert.equal(res.status, 404);
    assert.ok(!res.text.includes('<b>x</b>'));
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM right after a /healthz: exit 0 within 10 s', async () => {
    const s = await startServer();
    try {
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      const t0 = Date.now();
      const res = await s.stop(15_000);
      assert.equal(res.killed, false, `no exit 15 s after SIGTERM; logs:\n${s.logs().slice(-2000)}`);
      assert.equal(res.signal, null, `killed by ${res.signal}; logs:\n${s.logs().slice(-2000)}`);
      assert.equal(res.code, 0, `exit code ${res.code}; logs:\n${s.logs().slice(-3000)}`);
      assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
      assert.match(s.logs(), /stopped/);
      // nobody listens any more
      await assert.rejects(fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(3000) }));
    } finally {
      await s.stop();
    }
  });

  /** Starts a POST whose body is only half sent, so the request is in flight. */
  async function halfSentRequest(s) {
    const conn = new RawConnection(s.port);
    await conn.connect();
    const body = 'login=&password=';
    const answer = conn.response({ timeout: 15_000 });
    answer.catch(() => {});
    await conn.write(
      'POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 6)}`,
    );
    await new Promise((r) => setTimeout(r, 500)); // generous: lets the server read the headers
    return { conn, answer, finish: () => conn.write(body.slice(6)) };
  }

  test('a request in flight at SIGTERM still gets its answer, then the process exits 0', async () => {
    const s = await startServer();
    let inflight;
    try {
      inflight = await halfSentRequest(s);
      s.kill('SIGTERM');
      await s.waitForLog(/signal 15/);
      await inflight.finish();
      const res = await inflight.answer;
      assert.equal(res.status, 403, 'the in-flight request is answered (403: it carries no CSRF token)');
      const exit = await s.stop(15_000);
      assert.equal(exit.killed, false);
      assert.equal(exit.code, 0, `exit code ${exit.code}; logs:\n${s.logs().slice(-3000)}`);
    } finally {
      inflight?.conn.destroy();
      await s.stop();
    }
  });

  test('once SIGTERM is received, new connections are refused (while one is still in flight)', async () => {
    const s = await startServer();
    let inflight;
    try {
      inflight = await halfSentRequest(s);
      s.kill('SIGTERM');
      await s.waitForLog(/signal 15/);
      let answered = null;
      try {
        // a NEW connection (fetch would reuse its pooled keep-alive socket, which is not new)
        answered = await new Promise((resolve, reject) => {
          const req = http.get(`${s.url}/healthz`, { agent: false, timeout: 3000 }, (res) => {
            let body = '';
            res.on('data', (d) => { body += d; });
            res.on('end', () => resolve(`${res.statusCode} ${body}`));
          });
          req.on('timeout', () => { req.destroy(); reject(new Error('timeout')); });
          req.on('error', reject);
        });
      } catch { /* refused: right */ }
      assert.equal(answered, null, `GET /healthz after SIGTERM was accepted and answered: ${answered}`);
      await inflight.finish();
      await inflight.answer.catch(() => {});
    } finally {
      inflight?.conn.destroy();
      await s.stop();
    }
  });
});

describe('upload routes and multipart/form-data bodies', () => {
  const MAX_UPLOAD = 64 * 1024 * 1024; // HTTP_MAX_UPLOAD_BYTES
  const MAX_PARTS = 50; // HTTP_MAX_MULTIPART_PARTS

  /** Sends the head of a POST with the given Content-Length and a little of the body. */
  async function postHead(target, length) {
    const conn = new RawConnection(server.port);
    await conn.connect();
    const head =
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${length}\r\n\r\n`;
    const answer = conn.response({ timeout: 10_000 });
    answer.catch(() => {});
    await conn.write(head);
    await conn.write('x'.repeat(16 * 1024)).catch(() => {});
    return { conn, head, answer };
  }

  /** A multipart body (Buffer) from [name, text or Buffer] and [name, {filename, type, data}] pairs. */
  function multipart(boundary, parts, { close = true } = {}) {
    const chunks = [];
    for (const [name, v] of parts) {
      if (typeof v === 'string' || Buffer.isBuffer(v)) {
        chunks.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, v, '\r\n');
      } else {
        chunks.push(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\n` +
            `Content-Type: ${v.type}\r\n\r\n`,
          v.data,
          '\r\n',
        );
      }
    }
    if (close) chunks.push(`--${boundary}--\r\n`);
    return Buffer.concat(chunks.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c))));
  }

  for (const target of ['/groupes/x/carnet/1/photos', '/api/v1/entries/1/photos']) {
    test(`POST ${target} with a Content-Length over 64 MiB → 413 before the body is sent`, async () => {
      const { conn, head, answer } = await postHead(target, MAX_UPLOAD + 1);
      try {
        const res = await answer;
        assert.equal(res.status, 413);
        assert.ok(conn.bytesWritten < head.length + 1024 * 1024, 'the answer came before the body');
        assert.ok(await conn.closesWithin(5000), 'the connection is closed after 413');
      } finally {
        conn.destroy();
      }
    });
  }

  test('POST to an upload route with a Content-Length of exactly 64 MiB is not refused up front', async () => {
    const { conn, answer } = await postHead('/groupes/x/carnet/1/photos', MAX_UPLOAD);
    try {
      const early = await Promise.race([answer.then((r) => r.status), new Promise((r) => setTimeout(() => r(null), 1000))]);
      assert.equal(early, null, `answered ${early} before the body was sent`);
    } finally {
      conn.destroy();
    }
  });

  test('a 2 MiB body to an upload route is read (not 413)', async () => {
    const body = multipart('b0undary', [['photos', { filename: 'a.jpg', type: 'image/jpeg', data: Buffer.alloc(2 * MAX_BODY, 0xff) }]]);
    const send = (p) =>
      fetch(server.url + p, {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=b0undary' },
        body,
        signal: AbortSignal.timeout(30_000),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const upload = await send('/groupes/x/carnet/1/photos');
    assert.notEqual(upload, 413);
    assert.notEqual(upload, 400, 'the multipart body is well formed');
    // the same body to another route is refused from its Content-Length before it is read;
    // fetch may then see the connection closed while it still sends, so that side is checked
    // on a raw connection by the next test
  });

  test('routes next to the upload routes keep the 1 MiB limit (Content-Length 1 MiB + 1 → 413)', async () => {
    for (const [method, target] of [
      ['POST', '/groupes/x/carnet/1'],
      ['POST', '/groupes/x/journal/1/photos'],
      ['POST', '/groupes/x/carnet/1/photos/2'],
      ['POST', '/groupes/x/y/carnet/1/photos'],
      ['PUT', '/groupes/x/carnet/1/photos'],
      ['POST', '/api/v1/entries/1/photo'],
      ['POST', '/connexion'],
    ]) {
      const conn = new RawConnection(server.port);
      await conn.connect();
      try {
        const answer = conn.response({ timeout: 10_000 });
        answer.catch(() => {});
        await conn.write(
          `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            `Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`,
        );
        assert.equal((await answer).status, 413, `${method} ${target}`);
      } finally {
        conn.destroy();
      }
    }
  });

  test('the login form sent as multipart/form-data (FormData) works like a urlencoded one', async () => {
    const { DEMO } = await import('./lib/server.mjs');
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const empty = new FormData();
    empty.append('_csrf', token);
    empty.append('login', '');
    const res = await c.request('POST', '/connexion', { body: empty, csrf: false });
    assert.equal(res.status, 422, 'the _csrf part is read: the form is checked, not refused');
    const noToken = new FormData();
    noToken.append('login', DEMO.admin.login);
    noToken.append('password', DEMO.admin.password);
    assert.equal((await c.request('POST', '/connexion', { body: noToken, csrf: false })).status, 403);
    const fd = new FormData();
    fd.append('_csrf', token);
    fd.append('login', DEMO.admin.login);
    fd.append('password', DEMO.admin.password);
    fd.append('unused', new Blob([Buffer.from([0, 13, 10, 255])]), 'x.bin');
    const ok = await c.request('POST', '/connexion', { body: fd, csrf: false });
    assert.equal(ok.status, 303, ok.text.slice(0, 500));
    assert.ok(c.cookies.get('lanterne_session'), 'signed in');
  });

  test('a malformed multipart/form-data body → 400', async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const good = multipart('xyz', [['_csrf', token], ['login', ''], ['password', 'x']]);
    const cases = [
      ['no final boundary', 'multipart/form-data; boundary=xyz', multipart('xyz', [['_csrf', token], ['login', '']], { close: false })],
      ['another boundary in the body', 'multipart/form-data; boundary=abc', good],
      ['no boundary parameter', 'multipart/form-data', good],
      ['a boundary over 70 characters', `multipart/form-data; boundary=${'b'.repeat(71)}`, multipart('b'.repeat(71), [['_csrf', token]])],
      ['a part without Content-Disposition', 'multipart/form-data; boundary=xyz', Buffer.from(`--xyz\r\nContent-Type: text/plain\r\n\r\nv\r\n--xyz--\r\n`)],
      ['invalid UTF-8 in a text part', 'multipart/form-data; boundary=xyz', multipart('xyz', [['_csrf', token], ['login', Buffer.from([0xc3, 0x28])]])],
      ['garbage', 'multipart/form-data; boundary=xyz', Buffer.from('not multipart at all')],
    ];
    for (const [what, ct, body] of cases) {
      const res = await c.request('POST', '/connexion', { body, headers: { 'Content-Type': ct }, csrf: false });
      assert.equal(res.status, 400, `${what}: ${res.status}`);
    }
    const res = await c.request('POST', '/connexion', { body: good, headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' }, csrf: false });
    assert.equal(res.status, 422, 'the same form, well formed');
  });

  test(`${MAX_PARTS} multipart parts are accepted, ${MAX_PARTS + 1} → 400`, async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const send = (n) => {
      const parts = [['_csrf', token], ['login', '']];
      for (let i = parts.length; i < n; i++) parts.push([`f${i}`, String(i)]);
      return c.request('POST', '/connexion', {
        body: multipart('xyz', parts),
        headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' },
        csrf: false,
      });
    };
    assert.equal((await send(MAX_PARTS)).status, 422);
    assert.equal((await send(MAX_PARTS + 1)).status, 400);
  });
});
