// Two `lanterne serve` processes on one database and one data dir, behind nginx configured
// by deploy/nginx-cluster.conf: any request may go to any process. Sessions, CSRF secrets,
// login throttling, flash messages and the page cache's validity must hold across them.
//
// Engine: PostgreSQL when LANTERNE_TEST_DATABASE_URL is a postgresql:// URL (this file then
// creates a database of its own in that cluster, through psql, and drops it at the end);
// otherwise one SQLite file in the shared data dir.
//
// nginx: deploy/nginx-cluster.conf is rendered into a temporary directory (the @NAME@
// placeholders: UPSTREAMS = both processes, LISTEN / LISTEN_HTTP = free loopback ports,
// TLS_CERT / TLS_KEY = a self-signed certificate made with openssl, CACHE_DIR, SERVER_NAME),
// included from a small main file that keeps pid, logs and temp files in that directory, and
// run in the foreground (`daemon off`). The nginx tests are skipped if nginx or openssl is
// missing. deploy/nginx-single.conf is checked with `nginx -t`, and deploy/*.service with
// `systemd-analyze verify` when that exists.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, Client, DEMO, REPO_ROOT, clientAs, extractCsrf, freePort, login, runCli, startServer } from './lib/server.mjs';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An executable by name: on the PATH, else at one of the fallbacks; null if none. */
function findExe(name, fallbacks = []) {
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return fallbacks.find((p) => fs.existsSync(p)) || null;
}

const NGINX = findExe('nginx', ['/usr/sbin/nginx']);
const OPENSSL = findExe('openssl');
const SYSTEMD_ANALYZE = findExe('systemd-analyze');
const NO_NGINX = !NGINX ? 'nginx is not installed' : !OPENSSL ? 'openssl is not installed' : false;

// ---- the database -----------------------------------------------------------------------

const PG_BASE = /^postgres(ql)?:\/\//.test(process.env.LANTERNE_TEST_DATABASE_URL || '')
  ? process.env.LANTERNE_TEST_DATABASE_URL : null;
const ENGINE = PG_BASE ? 'postgresql' : 'sqlite';
const PSQL = PG_BASE ? findExe('psql', fs.existsSync('/usr/lib/postgresql')
  ? fs.readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin/psql`) : []) : null;

/** PG_BASE with another database name (same host, user and parameters). */
function pgUrlOf(name) {
  const m = PG_BASE.match(/^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/);
  if (!m) throw new Error(`cannot read LANTERNE_TEST_DATABASE_URL ${PG_BASE}`);
  return `${m[1]}/${name}${m[3] || ''}`;
}

function psql(sql) {
  if (!PSQL) throw new Error('psql not found (apt-get install postgresql-client)');
  const r = spawnSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', PG_BASE, '-c', sql], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
  return r.stdout;
}

// ---- nginx --------------------------------------------------------------------------------

/** deploy/<file> with its @NAME@ placeholders replaced; throws if one is left. */
function renderDeploy(file, values) {
  let text = fs.readFileSync(path.join(DEPLOY, file), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.split(`@${k}@`).join(v);
  const left = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').match(/@[A-Z_]+@/g);
  if (left) throw new Error(`${file}: placeholders without a value: ${[...new Set(left)].join(', ')}`);
  return text;
}

/** A main nginx.conf for dir that includes site (rendered) and keeps everything in dir. */
function nginxMain(dir, site) {
  // as root, the workers run as nobody: they need to enter dir (the paths nginx creates
  // inside it, it hands to them itself)
  fs.chmodSync(dir, 0o755);
  return [
    'daemon off;',
    'worker_processes 2;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    'events { worker_connections 256; }',
    'http {',
    `    access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/${t}_temp;`),
    `    include ${site};`,
    '}',
    '',
  ].join('\n');
}

/** `nginx -t` on a main file; resolves nothing, throws with nginx's words. */
function nginxCheck(dir, main) {
  const r = spawnSync(NGINX, ['-t', '-q', '-c', main, '-p', dir, '-e', path.join(dir, 'error.log')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nginx -t -c ${main} failed:\n${r.stderr}`);
}

/** A self-signed certificate for localhost and 127.0.0.1 in dir: {cert, key} paths. */
function selfSigned(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed:\n${r.stderr}`);
  return { cert, key };
}

// ---- the fixture --------------------------------------------------------------------------

let tmp; // everything of this file lives here
let dataDir;
let dbUrl;
let pgDatabase = null;
let A;
let B;
let nginx = null; // {child, exited, port, httpPort, dir, ca}
const serverEnv = {};

const THROTTLED = { login: 'cluster-throttle', name: 'Camille Grappe', password: 'cluster-password-1' };

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-cluster-'));
  fs.chmodSync(tmp, 0o711); // nginx's workers (nobody, when the test runs as root) pass through
  dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir);
  if (PG_BASE) {
    pgDatabase = `lanterne_cluster_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    psql(`CREATE DATABASE ${pgDatabase}`);
    dbUrl = pgUrlOf(pgDatabase);
  } else {
    dbUrl = `sqlite:${dataDir}/lanterne.db`;
  }
  const cliEnv = { LANTERNE_DATA_DIR: dataDir, LANTERNE_DATABASE_URL: dbUrl };
  for (const args of [['init'], ['demo']]) {
    const r = await runCli(args, { env: cliEnv, timeout: 600_000 });
    assert.equal(r.code, 0, `lanterne ${args[0]}: ${r.stderr}`);
  }
  const add = await runCli(['user', 'add', '--login', THROTTLED.login, '--name', THROTTLED.name, '--role', 'participant'],
    { env: cliEnv, input: `${THROTTLED.password}\n` });
  assert.equal(add.code, 0, `lanterne user add: ${add.stderr}`);

  const nginxPort = await freePort();
  Object.assign(serverEnv, cliEnv, {
    LANTERNE_BASE_URL: `https://localhost:${nginxPort}`,
    LANTERNE_TRUSTED_PROXIES: '127.0.0.1',
    LANTERNE_THREADS: '2',
    LANTERNE_TEST_JOBS: '1', // the tus target "test" (logs each finished upload's sha256)
  });
  // A runs the embedded job worker, B does not (as a web node next to dedicated workers)
  const help = await runCli(['serve', '--help']);
  const noWorker = /--no-worker/.test(help.stdout + help.stderr);
  [A, B] = await Promise.all([
    startServer({ dataDir, env: serverEnv }),
    startServer({ dataDir, env: serverEnv, args: noWorker ? ['--no-worker'] : [] }),
  ]);

  if (!NO_NGINX) {
    const dir = path.join(tmp, 'nginx');
    fs.mkdirSync(dir);
    const { cert, key } = selfSigned(dir);
    const httpPort = await freePort();
    const site = path.join(dir, 'lanterne.conf');
    fs.writeFileSync(site, renderDeploy('nginx-cluster.conf', {
      UPSTREAMS: [A, B].map((s) => `server 127.0.0.1:${s.port} max_fails=3 fail_timeout=10s;`).join('\n    '),
      LISTEN: `127.0.0.1:${nginxPort}`,
      LISTEN_HTTP: `127.0.0.1:${httpPort}`,
      SERVER_NAME: 'localhost',
      TLS_CERT: cert,
      TLS_KEY: key,
      CACHE_DIR: path.join(dir, 'cache'),
    }));
    const main = path.join(dir, 'nginx.conf');
    fs.writeFileSync(main, nginxMain(dir, site));
    nginxCheck(dir, main);
    const child = spawn(NGINX, ['-c', main, '-p', dir, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
    nginx = { child, exited, port: nginxPort, httpPort, dir, ca: fs.readFileSync(cert), agent: null };
    nginx.agent = new https.Agent({ ca: nginx.ca, keepAlive: false });
    const end = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${stderr}\n${readLog(dir)}`);
      try {
        if ((await viaNginx('GET', '/healthz')).status === 200) break;
      } catch { /* not listening yet */ }
      if (Date.now() > end) throw new Error(`nginx did not answer within 20 s:\n${stderr}\n${readLog(dir)}`);
      await sleep(50);
    }
  }
}, { timeout: 300_000 });

function readLog(dir) {
  try { return fs.readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-3000); } catch { return ''; }
}

after(async () => {
  if (nginx && nginx.child.exitCode === null) {
    nginx.child.kill('SIGQUIT'); // graceful: finish the requests in hand, then exit
    const t = setTimeout(() => nginx.child.kill('SIGKILL'), 10_000);
    await nginx.exited;
    clearTimeout(t);
  }
  await Promise.all([A, B].filter(Boolean).map((s) => s.stop()));
  if (pgDatabase) {
    try { psql(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`); } catch (err) { console.error(String(err)); }
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** One HTTPS request to nginx. Resolves {status, headers, text, setCookies}. */
function viaNginx(method, pathname, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: nginx.port, method, path: pathname, agent: nginx.agent,
      headers: { Host: `localhost:${nginx.port}`, ...headers, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) },
      timeout: 15_000,
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        setCookies: [].concat(res.headers['set-cookie'] || []),
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname} via nginx: timeout`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A client for process `server` holding the cookies of `from` (another Client). */
function sameBrowser(from, server) {
  const c = new Client(server.url);
  c.cookies = new Map(from.cookies);
  return c;
}

function sessionOf(c) {
  const v = c.cookies.get('lanterne_session');
  assert.ok(v, `no session cookie in ${[...c.cookies.keys()]}`);
  return v;
}

const COORD_NAME = 'Nora Coordination (démo)';

describe(`two lanterne serve processes, one ${ENGINE} database, one data dir`, () => {
  test('a login made on A is valid on B (and B sees who it is)', async () => {
    const a = new Client(A.url);
    const page = await a.get('/connexion');
    assert.equal(page.status, 200);
    assert.ok(a.cookies.get('lanterne_csrf'), 'the login page sets the anonymous nonce cookie');
    assert.ok(extractCsrf(page.text), 'the login page has a _csrf field');
    const res = await a.post('/connexion', { login: DEMO.coordinator.login, password: DEMO.coordinator.password });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    sessionOf(a);

    const b = sameBrowser(a, B);
    for (let i = 0; i < 3; i++) {
      const compte = await b.get('/compte');
      assert.equal(compte.status, 200, `GET /compte on B: ${compte.status} ${compte.location || ''}`);
      assert.ok(compte.text.includes(COORD_NAME), 'B shows the account signed in on A');
    }
    const me = (await b.get('/api/v1/me')).json();
    assert.equal(me.login, DEMO.coordinator.login);
  });

  test("an anonymous CSRF token from A's login page is accepted by B", async () => {
    const a = new Client(A.url);
    const token = extractCsrf((await a.get('/connexion')).text);
    assert.ok(token);
    const b = sameBrowser(a, B);
    // control: B checks the token at all
    const forged = await b.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password },
      { csrf: token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA') });
    assert.equal(forged.status, 403);
    const res = await b.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password }, { csrf: token });
    assert.equal(res.status, 303, `POST /connexion on B with A's token: ${res.status}\n${res.text.slice(0, 300)}`);
    const me = (await sameBrowser(b, A).get('/api/v1/me')).json();
    assert.equal(me.login, DEMO.participant.login, 'the session made by B is valid on A');
  });

  test('a structure created through B is listed by A at once (page cache across processes)', async () => {
    const a = new Client(A.url);
    await login(a, DEMO.coordinator.login, DEMO.coordinator.password);
    const word = `grappe${crypto.randomBytes(4).toString('hex')}`;
    const name = `Cinéma ${word}`;
    const search = `/structures?q=${word}`;
    const anonA = new Client(A.url);
    // warm A's page cache (one per database connection: more requests than connections)
    for (let i = 0; i < 8; i++) {
      const r = await anonA.get(search);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(name));
    }
    // the form is served by A, the POST goes to B with A's token
    const form = await a.get('/structures/nouvelle');
    assert.equal(form.status, 200);
    const token = extractCsrf(form.text);
    assert.ok(token, 'the new-structure form has a _csrf field');
    const b = sameBrowser(a, B);
    const created = await b.post('/structures', { name, type: 'cinema', commune_code: '59350' }, { csrf: token });
    assert.equal(created.status, 303, `POST /structures on B: ${created.status}\n${created.text.slice(0, 500)}`);
    const m = /^\/structures\/(\d+)$/.exec(created.location || '');
    assert.ok(m, `Location: ${created.location}`);

    for (let i = 0; i < 8; i++) {
      const r = await anonA.get(search);
      assert.equal(r.status, 200);
      assert.ok(r.text.includes(name), `A's anonymous ${search} (request ${i + 1}) lists the structure created on B`);
    }
    const show = await anonA.get(created.location);
    assert.equal(show.status, 200);
    assert.ok(show.text.includes(name));
    // the flash message set by B is shown by A
    const flashed = await sameBrowser(b, A).get(created.location);
    assert.match(flashed.text, /Structure enregistrée/);
    if (nginx) {
      for (let i = 0; i < 4; i++) {
        const r = await viaNginx('GET', search);
        assert.equal(r.status, 200);
        assert.ok(r.text.includes(name), 'listed through nginx too');
      }
    }
  });

  test('login throttling counts failures made on both processes', async () => {
    const wrong = `${THROTTLED.password}-wrong`;
    for (let i = 0; i < 5; i++) {
      const server = i % 2 === 0 ? A : B;
      const c = new Client(server.url);
      await c.csrf('/connexion');
      const res = await c.post('/connexion', { login: THROTTLED.login, password: wrong });
      assert.equal(res.status, 401, `wrong password ${i + 1} on ${server === A ? 'A' : 'B'}: ${res.status}`);
    }
    for (const server of [B, A]) {
      const c = new Client(server.url);
      await c.csrf('/connexion');
      // the right password, refused: the five failures were counted wherever they happened
      const res = await c.post('/connexion', { login: THROTTLED.login, password: THROTTLED.password });
      assert.equal(res.status, 429, `6th attempt on ${server === A ? 'A' : 'B'}: ${res.status}`);
      assert.ok(!c.cookies.get('lanterne_session'));
    }
  });

  test('logging out on A ends the session on B', async () => {
    const a = new Client(A.url);
    await login(a, DEMO.coordinator.login, DEMO.coordinator.password);
    const token = sessionOf(a);
    const b = sameBrowser(a, B);
    assert.equal((await b.get('/compte')).status, 200);
    await a.csrf('/');
    const out = await a.post('/deconnexion', {});
    assert.equal(out.status, 303);
    assert.ok(!a.cookies.get('lanterne_session'), 'the session cookie is cleared');

    const stale = new Client(B.url);
    stale.cookies.set('lanterne_session', token);
    const res = await stale.get('/compte');
    assert.equal(res.status, 303, 'B no longer knows the session');
    assert.match(res.location || '', /^\/connexion/);
    const api = await stale.get('/api/v1/me');
    assert.equal(api.status, 401);
    // the "signed out" flash set by A is shown by B
    const home = await sameBrowser(a, B).get('/');
    assert.match(home.text, /Vous êtes déconnecté·e/);
    if (nginx) {
      const r = await viaNginx('GET', '/compte', { headers: { Cookie: `lanterne_session=${token}` } });
      assert.equal(r.status, 303);
    }
  });
});

describe('nginx in front (deploy/nginx-cluster.conf)', { skip: NO_NGINX }, () => {
  test('/healthz through nginx, with HSTS; plain HTTP is redirected to HTTPS', async () => {
    const r = await viaNginx('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), { status: 'ok' });
    assert.match(r.headers['strict-transport-security'] || '', /max-age=\d+/);
    assert.ok(!/nginx\//.test(r.headers.server || ''), 'server_tokens off');
    const plain = await fetch(`http://127.0.0.1:${nginx.httpPort}/structures?x=1`, { redirect: 'manual' });
    assert.equal(plain.status, 301);
    assert.match(plain.headers.get('location') || '', /^https:\/\/[^/]+\/structures\?x=1$/);
  });

  test('requests are spread over both processes', async () => {
    const tag = crypto.randomBytes(4).toString('hex');
    for (let i = 0; i < 6; i++) {
      const r = await viaNginx('GET', `/cluster-probe-${tag}-${i}`);
      assert.equal(r.status, 404);
    }
    // the access log line is written once the response has been sent: wait for it
    const re = new RegExp(`/cluster-probe-${tag}-`);
    await A.waitForLog(re, 10_000); // throws: A took none
    await B.waitForLog(re, 10_000);
  });

  test('a session made on A is valid through nginx, whichever process answers', async () => {
    const a = new Client(A.url);
    await login(a, DEMO.coordinator.login, DEMO.coordinator.password);
    const token = sessionOf(a);
    for (let i = 0; i < 4; i++) {
      const r = await viaNginx('GET', '/compte', { headers: { Cookie: `lanterne_session=${token}` } });
      assert.equal(r.status, 200, `GET /compte via nginx (${i + 1}): ${r.status}`);
      assert.ok(r.text.includes(COORD_NAME));
    }
  });

  test('signing in through nginx: login page and POST may reach different processes', async () => {
    const page = await viaNginx('GET', '/connexion');
    assert.equal(page.status, 200);
    const nonce = page.setCookies.find((s) => s.startsWith('lanterne_csrf='));
    assert.ok(nonce, 'nonce cookie');
    assert.match(nonce, /; Secure/, 'LANTERNE_BASE_URL=https://…: cookies are Secure');
    const cookie = nonce.split(';')[0];
    const body = new URLSearchParams({ login: DEMO.supervisor.login, password: DEMO.supervisor.password, _csrf: extractCsrf(page.text) }).toString();
    const res = await viaNginx('POST', '/connexion', {
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body,
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const session = res.setCookies.find((s) => s.startsWith('lanterne_session='));
    assert.ok(session);
    for (const server of [A, B]) {
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { Cookie: session.split(';')[0] } });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).login, DEMO.supervisor.login);
    }
  });

  test('a body over 1 MiB is refused by nginx (client_max_body_size)', async () => {
    const r = await viaNginx('POST', '/connexion', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'x'.repeat(1024 * 1024 + 1),
    });
    assert.equal(r.status, 413);
  });

  test('a tus upload larger than 1 MiB goes through nginx (deploy/nginx-cluster.conf) and resumes', { skip: NO_NGINX }, async () => {
    const sup = await clientAs(A, 'supervisor');
    const auth = { Cookie: sup.cookieHeader(), 'X-CSRF-Token': sup.csrfToken, 'Tus-Resumable': '1.0.0' };
    const b64 = (s) => Buffer.from(s).toString('base64');
    const size = 3 * 1024 * 1024;
    const data = crypto.randomBytes(size);
    const c = await viaNginx('POST', '/api/v1/uploads', {
      headers: { ...auth, 'Upload-Length': String(size), 'Upload-Metadata': `kind ${b64('test')},filename ${b64('a.bin')}` },
    });
    assert.equal(c.status, 201, c.text);
    const loc = new URL(c.headers.location, 'https://localhost').pathname;
    const patch = (from, to) => viaNginx('PATCH', loc, {
      headers: { ...auth, 'Upload-Offset': String(from), 'Content-Type': 'application/offset+octet-stream' },
      body: data.subarray(from, to),
    });
    const p1 = await patch(0, size / 2);
    assert.equal(p1.status, 204, p1.text);
    const head = await viaNginx('HEAD', loc, { headers: auth });
    assert.equal(head.headers['upload-offset'], String(size / 2));
    const p2 = await patch(size / 2, size);
    assert.equal(p2.status, 204, p2.text);
    assert.equal(p2.headers['upload-offset'], String(size));
    const log = fs.readFileSync(path.join(dataDir, 'tus-test.log'), 'utf8');
    assert.ok(log.includes(crypto.createHash('sha256').update(data).digest('hex')), log);
  });

  test('fingerprinted static files are cached by nginx', async () => {
    const home = await viaNginx('GET', '/');
    const css = (home.text.match(/\/static\/css\/site\.[0-9a-f]{10}\.css/) || [])[0];
    assert.ok(css, 'the home page links the fingerprinted stylesheet');
    const r = await viaNginx('GET', css);
    assert.equal(r.status, 200);
    assert.match(r.headers['cache-control'] || '', /max-age=31536000/);
    const cacheDir = path.join(nginx.dir, 'cache');
    const files = () => {
      try { return fs.readdirSync(cacheDir, { recursive: true }).filter((f) => fs.statSync(path.join(cacheDir, f)).isFile()); } catch { return []; }
    };
    const end = Date.now() + 5000;
    while (files().length === 0 && Date.now() < end) await sleep(50);
    assert.ok(files().length > 0, `nothing in nginx's cache dir ${cacheDir}`);
  });

  // last: it stops B
  test('passive failover: with B stopped, nginx answers every request from A', async () => {
    const a = new Client(A.url);
    await login(a, DEMO.coordinator.login, DEMO.coordinator.password);
    const token = sessionOf(a);
    const stopped = await B.stop();
    assert.equal(stopped.killed, false, 'B stopped on SIGTERM');
    for (let i = 0; i < 8; i++) {
      const r = await viaNginx('GET', `/compte?i=${i}`, { headers: { Cookie: `lanterne_session=${token}` } });
      assert.equal(r.status, 200, `GET via nginx with B down (${i + 1}): ${r.status}`);
    }
    // a POST too: a refused connection means the request was never sent, so nginx retries it
    for (let i = 0; i < 3; i++) {
      const page = await viaNginx('GET', '/connexion');
      const cookie = page.setCookies.find((s) => s.startsWith('lanterne_csrf=')).split(';')[0];
      const body = new URLSearchParams({ login: DEMO.participant.login, password: DEMO.participant.password, _csrf: extractCsrf(page.text) }).toString();
      const res = await viaNginx('POST', '/connexion', { headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(res.status, 303, `POST via nginx with B down (${i + 1}): ${res.status}`);
    }
  });
});

describe('the other files in deploy/', () => {
  test('nginx-single.conf passes nginx -t once rendered', { skip: NO_NGINX }, () => {
    const dir = path.join(tmp, 'nginx-single');
    fs.mkdirSync(dir);
    const { cert, key } = selfSigned(dir);
    const site = path.join(dir, 'lanterne.conf');
    fs.writeFileSync(site, renderDeploy('nginx-single.conf', {
      LISTEN: '127.0.0.1:1', LISTEN_HTTP: '127.0.0.1:2', SERVER_NAME: 'localhost',
      TLS_CERT: cert, TLS_KEY: key, CACHE_DIR: path.join(dir, 'cache'),
    }));
    const main = path.join(dir, 'nginx.conf');
    fs.writeFileSync(main, nginxMain(dir, site));
    nginxCheck(dir, main); // -t binds nothing: the ports need not be free
  });

  test('the systemd units pass systemd-analyze verify', { skip: !SYSTEMD_ANALYZE && 'systemd-analyze is not installed' }, () => {
    const dir = path.join(tmp, 'units');
    fs.mkdirSync(dir);
    const units = [];
    for (const file of ['lanterne.service', 'worker.service']) {
      const text = fs.readFileSync(path.join(DEPLOY, file), 'utf8');
      assert.match(text, /^ExecStart=\/opt\/lanterne\/build\/lanterne /m);
      // the binary under test stands in for /opt/lanterne/build/lanterne, which must exist
      const p = path.join(dir, file);
      fs.writeFileSync(p, text.split('/opt/lanterne/build/lanterne').join(BIN));
      units.push(p);
    }
    const r = spawnSync(SYSTEMD_ANALYZE, ['verify', ...units], { encoding: 'utf8' });
    // verify exits 0 on unknown keys too, with a warning: any word about our files fails
    const ours = (r.stderr || '').split('\n').filter((l) => units.some((u) => l.includes(path.basename(u))));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ours, []);
  });

  test('lanterne.env.example names only settings lanterne knows', async () => {
    const text = fs.readFileSync(path.join(DEPLOY, 'lanterne.env.example'), 'utf8');
    const names = [...text.matchAll(/^#?(LANTERNE_[A-Z_]+)=/gm)].map((m) => m[1]);
    assert.ok(names.length >= 6);
    const help = await runCli(['serve', '--help']);
    const known = `${help.stdout}${help.stderr}`;
    for (const n of names) assert.ok(known.includes(n), `${n} is not in lanterne serve --help`);
  });
});
