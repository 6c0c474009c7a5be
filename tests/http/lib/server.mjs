// Test helpers for the HTTP suites: a shared fixture database, a real `lanterne serve` on a
// free loopback port, a small cookie-jar client that knows about our CSRF tokens, raw
// sockets for requests fetch() refuses to send, and the command line.
//
// Environment: LANTERNE_BIN (binary under test, default build/lanterne, resolved against
// the current directory then the repository root), LANTERNE_PWHASH_FAST (set to 1 when
// absent), LANTERNE_SHARE_DIR (default: the repository root), LANTERNE_TEST_DATABASE_URL
// (a postgresql:// URL: every server and CLI run of the fixture gets its own database in
// that cluster, created from a template database; otherwise SQLite in the data dir).
//
// On PostgreSQL the data dir still exists (for files); the database that goes with it is
// remembered here, by data dir: startServer and runCli({dataDir}) pass it as
// LANTERNE_DATABASE_URL. A process started by hand gets it from databaseEnv(dataDir).

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function resolveBin() {
  const given = process.env.LANTERNE_BIN || 'build/lanterne';
  for (const candidate of [path.resolve(process.cwd(), given), path.resolve(REPO_ROOT, given)]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(process.cwd(), given);
}

export const BIN = resolveBin();
export const SHARE_DIR = process.env.LANTERNE_SHARE_DIR || REPO_ROOT;

// ---- the database engine ----------------------------------------------------------------

const PG_URL_RX = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/;

function testDatabaseUrl() {
  const url = process.env.LANTERNE_TEST_DATABASE_URL || '';
  if (!url || url.startsWith('sqlite:')) return null;
  if (!PG_URL_RX.test(url)) {
    throw new Error(`LANTERNE_TEST_DATABASE_URL must be a postgresql:// URL (or sqlite:…, or unset), not ${url}`);
  }
  return url;
}

/**
 * The PostgreSQL URL the suites run against (LANTERNE_TEST_DATABASE_URL), or null on
 * SQLite. Its database is only used to create and drop the per-server databases.
 */
export const PG_URL = testDatabaseUrl();
/** 'postgresql' or 'sqlite': for a test that must differ (or be skipped) on one engine. */
export const ENGINE = PG_URL ? 'postgresql' : 'sqlite';

/** PG_URL with another database name (same host, user, parameters). */
function pgUrlOf(dbName) {
  const m = PG_URL.match(PG_URL_RX);
  return `${m[1]}/${dbName}${m[3] || ''}`;
}

/** Runs SQL through psql on PG_URL's database; resolves stdout, rejects with psql's message. */
function psql(sql) {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', PG_URL, '-c', sql], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', (err) => reject(new Error(`psql: ${err.message} (is postgresql-client installed?)`)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`psql ${JSON.stringify(sql)} failed (${code}): ${stderr.trim()}`));
    });
  });
}

async function pgDatabaseExists(name) {
  return (await psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).trim() === '1';
}

/** Data dir -> database URL, for the data dirs whose database is not the SQLite file in them. */
const databases = new Map();
/** Databases this process created and has not dropped yet: dropped at exit. */
const ownDatabases = new Set();
let dbCounter = 0;

/** A new database name, unique across the test processes sharing one cluster. */
function newDatabaseName() {
  dbCounter += 1;
  return `lanterne_t_${process.pid}_${dbCounter}_${crypto.randomBytes(3).toString('hex')}`;
}

/** Creates database `name` (from `template` when given) and ties it to dataDir. */
async function createDatabase(dataDir, template) {
  const name = newDatabaseName();
  await psql(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  ownDatabases.add(name);
  databases.set(path.resolve(dataDir), { name, url: pgUrlOf(name) });
}

/**
 * The database URL of a data dir made here (freshDataDir, startServer): its own
 * PostgreSQL database, or null when its database is the SQLite file inside it.
 */
export function databaseUrl(dataDir) {
  return databases.get(path.resolve(dataDir))?.url ?? null;
}

/**
 * Environment variables that point a lanterne process at dataDir's database
 * ({LANTERNE_DATABASE_URL} on PostgreSQL, {} on SQLite): for processes a test spawns itself.
 */
export function databaseEnv(dataDir) {
  const url = databaseUrl(dataDir);
  return url ? { LANTERNE_DATABASE_URL: url } : {};
}

/** Drops dataDir's PostgreSQL database, if it has one (idempotent). */
export async function dropDatabase(dataDir) {
  const key = path.resolve(dataDir);
  const db = databases.get(key);
  if (!db) return;
  databases.delete(key);
  // WITH (FORCE): a server just stopped may still have a backend on its way out
  await psql(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  ownDatabases.delete(db.name);
}

/** Removes a data dir from freshDataDir and drops its database. */
export async function removeDataDir(dataDir) {
  await dropDatabase(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

process.on('exit', () => {
  if (!PG_URL || ownDatabases.size === 0) return;
  const sql = [...ownDatabases].map((n) => `DROP DATABASE IF EXISTS ${n} WITH (FORCE);`).join('\n');
  spawnSync('psql', ['-X', '-q', '-d', PG_URL, '-c', sql], { stdio: 'ignore', timeout: 10_000 });
});

/** The demo accounts loaded by `lanterne demo` (src/demo.c), by role. */
export const DEMO = {
  admin: { login: 'admin', password: 'lanterne-admin' },
  coordinator: { login: 'coordination', password: 'lanterne-coord' },
  supervisor: { login: 'encadrant', password: 'lanterne-encadrant' },
  participant: { login: 'jeune', password: 'lanterne-jeune' },
};

export const ROLES = ['anonymous', 'participant', 'supervisor', 'coordinator', 'admin'];

/** Environment for a child process: ours minus the LANTERNE_* settings a test must choose. */
function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of ['LANTERNE_LISTEN', 'LANTERNE_DATA_DIR', 'LANTERNE_DATABASE_URL', 'LANTERNE_BASE_URL']) {
    delete env[k];
  }
  env.LANTERNE_PWHASH_FAST = process.env.LANTERNE_PWHASH_FAST ?? '1';
  env.LANTERNE_SHARE_DIR = SHARE_DIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

/**
 * Runs `lanterne ...args`. Options: env (extra variables), dataDir (LANTERNE_DATA_DIR, and
 * LANTERNE_DATABASE_URL when that data dir has its own PostgreSQL database), input (written
 * to stdin), timeout (ms, default 120 s). Resolves {code, signal, stdout, stderr}.
 */
export function runCli(args, opts = {}) {
  const env = childEnv({
    ...(opts.dataDir ? { LANTERNE_DATA_DIR: opts.dataDir, ...databaseEnv(opts.dataDir) } : {}),
    ...(opts.env || {}),
  });
  const timeout = opts.timeout ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env, cwd: opts.cwd || SHARE_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lanterne ${args.join(' ')}: no exit after ${timeout} ms\n${stderr}`));
    }, timeout);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the command may not read its input
    child.stdin.end(opts.input ?? '');
  });
}

// ---- the fixture database ---------------------------------------------------------------

let templatePromise = null;

/**
 * The directory of a data dir made by `init` then `demo`, built once per binary (keyed by
 * its path and mtime) in a well-known place under the temp dir, so every test file of a
 * run, and later runs with the same binary, copy it instead of importing 35,000 communes
 * again. Built in a private directory, then renamed into place (atomic; a lost race just
 * discards its copy). On PostgreSQL the database part is a template database
 * (fixtureDatabase()) in the test cluster, and the directory holds only the files.
 */
export async function fixtureTemplate() {
  if (!templatePromise) templatePromise = PG_URL ? buildPgTemplate() : buildTemplate();
  return (await templatePromise).dir;
}

/** On PostgreSQL, the name of the fixture's template database; null on SQLite. */
export async function fixtureDatabase() {
  await fixtureTemplate();
  return (await templatePromise).database ?? null;
}

function binStamp() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`LANTERNE_BIN ${BIN} does not exist (run make build first)`);
  }
  const st = fs.statSync(BIN);
  const binKey = crypto.createHash('sha256').update(BIN).digest('hex').slice(0, 10);
  return { binKey, stamp: `${Math.floor(st.mtimeMs)}-${st.size}` };
}

/** init + demo into work (with extra env for the database); writes demo.txt. */
async function initAndDemo(work, env = {}) {
  const init = await runCli(['init'], { dataDir: work, env, timeout: 600_000 });
  if (init.code !== 0) throw new Error(`lanterne init failed (${init.code}):\n${init.stderr}`);
  const demo = await runCli(['demo'], { dataDir: work, env, timeout: 600_000 });
  if (demo.code !== 0) throw new Error(`lanterne demo failed (${demo.code}):\n${demo.stderr}`);
  fs.writeFileSync(path.join(work, 'demo.txt'), demo.stdout);
}

/** Renames work to dir with a READY mark; if someone else got there first, discards work. */
function publishDir(work, dir) {
  fs.writeFileSync(path.join(work, 'READY'), `${BIN}\n`);
  try {
    fs.renameSync(work, dir);
  } catch (err) {
    if (!fs.existsSync(path.join(dir, 'READY'))) throw err;
    fs.rmSync(work, { recursive: true, force: true }); // someone else won the race
  }
}

async function buildTemplate() {
  const { binKey, stamp } = binStamp();
  const prefix = `lanterne-fixture-${binKey}-`;
  const dir = path.join(os.tmpdir(), `${prefix}${stamp}`);
  if (fs.existsSync(path.join(dir, 'READY'))) return { dir };

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-fixture-build-'));
  try {
    await initAndDemo(work);
    publishDir(work, dir);
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  }
  // templates of older builds of the same binary are of no further use
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (name.startsWith(prefix) && path.join(os.tmpdir(), name) !== dir) {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
  return { dir };
}

/**
 * The PostgreSQL fixture: database lanterne_fixture_<key> in the test cluster (key: the
 * binary, its mtime and size, the cluster's URL), built once by whichever test process
 * comes first: init + demo into a private database, then ALTER DATABASE … RENAME into place
 * (a lost race drops its copy). Its files (demo.txt) go to a directory under the temp dir
 * with the same key. Per server: CREATE DATABASE … TEMPLATE lanterne_fixture_<key>.
 */
async function buildPgTemplate() {
  const { binKey, stamp } = binStamp();
  const key = crypto.createHash('sha256').update(`${BIN}\n${stamp}\n${PG_URL}`).digest('hex').slice(0, 12);
  const database = `lanterne_fixture_${key}`;
  const prefix = 'lanterne-fixture-pg-';
  const dir = path.join(os.tmpdir(), `${prefix}${binKey}-${key}`);
  if (fs.existsSync(path.join(dir, 'READY')) && (await pgDatabaseExists(database))) return { dir, database };

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-fixture-build-'));
  const building = `${database}_b${process.pid}`;
  try {
    await psql(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await psql(`CREATE DATABASE ${building}`);
    await initAndDemo(work, { LANTERNE_DATABASE_URL: pgUrlOf(building) });
    try {
      await psql(`ALTER DATABASE ${building} RENAME TO ${database}`);
    } catch (err) {
      if (!(await pgDatabaseExists(database))) throw err;
      await psql(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`); // someone else won the race
    }
    if (!fs.existsSync(path.join(dir, 'READY'))) publishDir(work, dir);
  } catch (err) {
    await psql(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`).catch(() => {});
    throw err;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // the file parts of fixtures of clusters long gone (each cluster run has its own key)
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of fs.readdirSync(os.tmpdir())) {
    const p = path.join(os.tmpdir(), name);
    if (!name.startsWith(prefix) || p === dir) continue;
    try {
      if (fs.statSync(p).mtimeMs < dayAgo) fs.rmSync(p, { recursive: true, force: true });
    } catch { /* raced with another cleaner */ }
  }
  return { dir, database };
}

/**
 * A fresh data dir holding a copy of the fixture (on PostgreSQL: the files, plus a database
 * of its own made from the fixture's template database, which runCli, startServer and
 * databaseEnv use for this dir). Option empty: no fixture at all (an empty dir, and on
 * PostgreSQL an empty database; the first lanterne command migrates it). The caller removes
 * it: removeDataDir(dir) (fs.rmSync alone leaves the database until the process exits).
 */
export async function freshDataDir({ empty = false } = {}) {
  const template = empty ? null : await fixtureTemplate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-http-'));
  try {
    if (template) {
      for (const name of fs.readdirSync(template)) {
        if (name === 'READY') continue;
        const from = path.join(template, name);
        if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(dir, name));
      }
    }
    if (PG_URL) await createDatabase(dir, empty ? null : await fixtureDatabase());
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

// ---- the server -------------------------------------------------------------------------

/** A port nobody listens on right now (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A timer for Promise.race that does not keep the process alive once the race is over. */
const raceTimer = (ms, value) => new Promise((r) => setTimeout(r, ms, value).unref());

/**
 * Starts `lanterne serve` on 127.0.0.1 with its own copy of the fixture database (on
 * PostgreSQL: its own database, made from the fixture's template, dropped by stop()).
 * Options: env (extra variables, e.g. LANTERNE_BASE_URL), dataDir (reuse one; it is then
 * not removed by stop(), nor is its database), args (extra flags), setup(dataDir) (async,
 * before the server starts: e.g. CLI commands). Resolves {url, port, dataDir, databaseUrl
 * (null on SQLite), pid, stop(), logs(), waitForLog(re, ms), exited}.
 */
export async function startServer(opts = {}) {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir || (await freshDataDir());
  if (opts.setup) await opts.setup(dataDir);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(dataDir, ownDir, opts);
    } catch (err) {
      lastError = err;
      if (!/cannot listen|address already in use/i.test(String(err.message))) break;
    }
  }
  if (ownDir) await removeDataDir(dataDir);
  throw lastError;
}

async function launch(dataDir, ownDir, opts) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = childEnv({
    LANTERNE_LISTEN: `127.0.0.1:${port}`,
    LANTERNE_DATA_DIR: dataDir,
    LANTERNE_THREADS: process.env.LANTERNE_THREADS || '4',
    ...databaseEnv(dataDir),
    ...(opts.env || {}),
  });
  const child = spawn(BIN, ['serve', ...(opts.args || [])], { env, cwd: SHARE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const chunks = [];
  let logText = '';
  const onData = (d) => { logText += d; chunks.push(d); };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(child);
      resolve(exitInfo);
    });
  });
  child.on('error', (err) => { logText += `\n[spawn error] ${err.message}\n`; });

  const deadline = Date.now() + 60_000; // ASan builds load the templates slowly
  for (;;) {
    if (exitInfo) {
      throw new Error(`lanterne serve exited (${exitInfo.code ?? exitInfo.signal}) before answering:\n${logText}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`lanterne serve did not answer /healthz within 60 s:\n${logText}`);
    }
    await sleep(50);
  }

  let stopping = null;
  const server = {
    url,
    port,
    dataDir,
    databaseUrl: env.LANTERNE_DATABASE_URL ?? null,
    pid: child.pid,
    exited,
    logs: () => logText,
    /** Waits until the output matches re (string or RegExp); resolves the match. */
    async waitForLog(re, ms = 5000) {
      const rx = typeof re === 'string' ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : re;
      const end = Date.now() + ms;
      for (;;) {
        const m = logText.match(rx);
        if (m) return m;
        if (Date.now() > end) throw new Error(`no log line matching ${rx} within ${ms} ms; logs:\n${logText.slice(-4000)}`);
        await sleep(20);
      }
    },
    /** Sends a signal without waiting (for shutdown tests). */
    kill(sig = 'SIGTERM') {
      if (!exitInfo) child.kill(sig);
    },
    /**
     * SIGTERM, then waits up to `ms` (default 15 s) for the exit; SIGKILL after that.
     * Resolves {code, signal, ms, killed}. Removes the data dir it made, and its database.
     */
    stop(ms = 15_000) {
      if (!stopping) {
        stopping = (async () => {
          const t0 = Date.now();
          let killed = false;
          if (!exitInfo) {
            child.kill('SIGTERM');
            const timer = raceTimer(ms, 'timeout');
            if ((await Promise.race([exited, timer])) === 'timeout') {
              killed = true;
              child.kill('SIGKILL');
              await exited;
            }
          }
          if (ownDir) await removeDataDir(dataDir);
          return { ...exitInfo, ms: Date.now() - t0, killed };
        })();
      }
      return stopping;
    },
  };
  return server;
}

// ---- a browser-like client --------------------------------------------------------------

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The value of the hidden _csrf input in an HTML page, or null. */
export function extractCsrf(html) {
  const m = html.match(/<input\b[^>]*\bname="_csrf"[^>]*>/i);
  if (!m) return null;
  const v = m[0].match(/\bvalue="([^"]*)"/i);
  return v ? v[1] : null;
}

function encodeForm(form) {
  if (form instanceof URLSearchParams) return new URLSearchParams(form);
  const p = new URLSearchParams();
  if (Array.isArray(form)) for (const [k, v] of form) p.append(k, v);
  else for (const [k, v] of Object.entries(form || {})) p.append(k, v);
  return p;
}

/**
 * A cookie jar over fetch. Never follows redirects. Remembers the _csrf token of the last
 * HTML page that had one, and sends it with writes: as the `_csrf` field of forms, as an
 * X-CSRF-Token header otherwise. Answers are read whole: {status, headers, text, location,
 * setCookies, contentType, json()}.
 */
export class Client {
  constructor(baseUrl, { headers = {} } = {}) {
    this.base = baseUrl;
    this.cookies = new Map();
    this.csrfToken = null;
    this.defaultHeaders = headers;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Stores the Set-Cookie headers of a response (Max-Age=0 or an empty value deletes). */
  absorb(setCookies) {
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === '';
      const before = this.cookies.get(name);
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (name === 'lanterne_session' && before !== this.cookies.get(name)) this.csrfToken = null;
    }
  }

  /** The CSRF token to send: the last one seen, else read from `from` (default /connexion, then /). */
  async csrf(from) {
    if (this.csrfToken) return this.csrfToken;
    for (const p of from ? [from] : ['/connexion', '/']) {
      await this.get(p);
      if (this.csrfToken) return this.csrfToken;
    }
    throw new Error(`no _csrf input found on ${from || '/connexion nor /'}`);
  }

  /**
   * method, path, options: form (object, pairs or URLSearchParams), json (any value), body
   * (string/Buffer, sent as is), headers, csrf (false: send none; a string: send that one;
   * default: the jar's token for writes), csrfFrom (page to read a token from when none is
   * known), auth (a bearer token), cookies (false: send no Cookie header), timeout (ms).
   */
  async request(method, pathname, opts = {}) {
    let token = null;
    if (WRITE_METHODS.has(method) && opts.csrf !== false) {
      token = typeof opts.csrf === 'string' ? opts.csrf : await this.csrf(opts.csrfFrom);
    }
    const headers = { ...this.defaultHeaders, ...(opts.headers || {}) };
    if (!('Cookie' in headers) && opts.cookies !== false) {
      const cookie = this.cookieHeader();
      if (cookie) headers.Cookie = cookie;
    }
    if (opts.auth) headers.Authorization = `Bearer ${opts.auth}`;
    let body;
    if (opts.form !== undefined) {
      const p = encodeForm(opts.form);
      if (token && !p.has('_csrf')) p.append('_csrf', token);
      body = p.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = 'application/json';
      if (token) headers['X-CSRF-Token'] = token;
    } else {
      if (opts.body !== undefined) body = opts.body;
      if (token) headers['X-CSRF-Token'] = token;
    }
    const res = await fetch(this.base + pathname, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeout ?? 30_000),
    });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    this.absorb(setCookies);
    const contentType = res.headers.get('content-type') || '';
    if (contentType.startsWith('text/html')) {
      const t = extractCsrf(text);
      if (t) this.csrfToken = t;
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      contentType,
      location: res.headers.get('location'),
      setCookies,
      json() {
        try {
          return JSON.parse(text);
        } catch (err) {
          throw new Error(`not JSON (${res.status} ${contentType}): ${text.slice(0, 300)}`);
        }
      },
    };
  }

  get(p, opts) { return this.request('GET', p, opts); }
  head(p, opts) { return this.request('HEAD', p, opts); }
  post(p, form = {}, opts = {}) { return this.request('POST', p, { ...opts, form }); }
  postJson(p, json, opts = {}) { return this.request('POST', p, { ...opts, json }); }
  put(p, json, opts = {}) { return this.request('PUT', p, { ...opts, json }); }
  delete(p, opts = {}) { return this.request('DELETE', p, opts); }
}

/** Logs client in; resolves the 303 answer, throws with the page on anything else. */
export async function login(client, loginName, password, { next } = {}) {
  const res = await tryLogin(client, loginName, password, { next });
  if (res.status !== 303 || !client.cookies.get('lanterne_session')) {
    throw new Error(`login as ${loginName} failed: ${res.status}\n${res.text.slice(0, 800)}`);
  }
  return res;
}

/** POST /connexion with a token read from the login page; resolves the answer whatever it is. */
export async function tryLogin(client, loginName, password, { next } = {}) {
  client.csrfToken = null;
  await client.csrf(); // the login page's token, or the session's (logged in: /connexion redirects)
  const form = { login: loginName, password };
  if (next !== undefined) form.next = next;
  return client.post('/connexion', form);
}

/** A client logged in as the demo account of role (anonymous: a client that has a CSRF nonce). */
export async function clientAs(server, role) {
  const c = new Client(server.url);
  if (role === 'anonymous') {
    await c.csrf('/connexion');
    return c;
  }
  const acct = DEMO[role];
  if (!acct) throw new Error(`no demo account for role ${role}`);
  await login(c, acct.login, acct.password);
  await c.csrf('/');
  return c;
}

// ---- raw HTTP ---------------------------------------------------------------------------

/** Parses one HTTP response at the start of buf; null when incomplete. */
function parseResponse(buf, { head = false, closed = false } = {}) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const headText = buf.subarray(0, end).toString('latin1');
  const [statusLine, ...lines] = headText.split('\r\n');
  const m = statusLine.match(/^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/);
  if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  const status = Number(m[2]);
  const start = end + 4;
  let bodyEnd;
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) bodyEnd = start;
  else if (headers['content-length'] !== undefined) bodyEnd = start + Number(headers['content-length']);
  else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    // decode chunks
    let p = start;
    const parts = [];
    for (;;) {
      const le = buf.indexOf('\r\n', p);
      if (le < 0) return null;
      const size = parseInt(buf.subarray(p, le).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (buf.length < le + 2 + size + 2) return null;
      if (size === 0) {
        const te = buf.indexOf('\r\n\r\n', le);
        if (te < 0 && buf.length < le + 4) return null;
        const rest = te < 0 ? le + 4 : te + 4;
        return { status, statusLine, version: m[1], headers, body: Buffer.concat(parts), length: rest };
      }
      parts.push(buf.subarray(le + 2, le + 2 + size));
      p = le + 2 + size + 2;
    }
  } else if (closed) bodyEnd = buf.length;
  else return null; // read until close
  if (buf.length < bodyEnd) return null;
  return { status, statusLine, version: m[1], headers, body: buf.subarray(start, bodyEnd), length: bodyEnd };
}

/**
 * One TCP connection to the server, for hand-made requests. send(data) writes and resolves
 * the next complete response ({status, statusLine, headers (lower case), body (Buffer),
 * text}); write(data) only writes; response() waits for the next answer; closed resolves
 * when the server closes the connection.
 */
export class RawConnection {
  constructor(port, host = '127.0.0.1') {
    this.port = port;
    this.host = host;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.isClosed = false;
    this.error = null;
    this.bytesWritten = 0;
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.sock = net.connect(this.port, this.host, () => resolve(this));
      this.sock.setNoDelay(true);
      this.sock.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        this.pump();
      });
      this.closed = new Promise((res) => {
        this.sock.on('close', () => {
          this.isClosed = true;
          this.pump();
          res();
        });
      });
      this.sock.on('error', (err) => {
        this.error = err;
        reject(err);
      });
    });
  }

  pump() {
    while (this.waiters.length) {
      const w = this.waiters[0];
      let r;
      try {
        r = parseResponse(this.buf, { head: w.head, closed: this.isClosed });
      } catch (err) {
        clearTimeout(w.timer);
        this.waiters.shift().reject(err);
        continue;
      }
      if (!r) {
        if (this.isClosed) {
          clearTimeout(w.timer);
          this.waiters.shift().reject(Object.assign(new Error(
            `connection closed before a complete response (${this.buf.length} bytes: ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))})`,
          ), { code: 'ECLOSED', received: this.buf }));
          continue;
        }
        return;
      }
      this.buf = this.buf.subarray(r.length);
      r.text = r.body.toString('utf8');
      clearTimeout(w.timer);
      this.waiters.shift().resolve(r);
    }
  }

  /** Writes; resolves once the data is handed to the kernel (or rejects if the peer reset). */
  write(data) {
    return new Promise((resolve, reject) => {
      if (this.isClosed || this.sock.destroyed) {
        reject(Object.assign(new Error('socket closed'), { code: 'ECLOSED' }));
        return;
      }
      const b = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
      this.sock.write(b, (err) => {
        if (err) reject(err);
        else {
          this.bytesWritten += b.length;
          resolve();
        }
      });
    });
  }

  /** The next response; rejects after `timeout` ms or if the connection closes first. */
  response({ timeout = 10_000, head = false } = {}) {
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, head };
      w.timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(Object.assign(new Error(`no response within ${timeout} ms`), { code: 'ETIMEDOUT' }));
      }, timeout);
      this.waiters.push(w);
      this.pump();
    });
  }

  async send(data, opts) {
    const p = this.response(opts);
    p.catch(() => {}); // observed below
    try {
      await this.write(data);
    } catch (err) {
      // the server may answer and close while we are still writing: prefer its answer
      try { return await p; } catch { throw err; }
    }
    return p;
  }

  /** Resolves true if the server closes the connection within ms. */
  async closesWithin(ms) {
    if (this.isClosed) return true;
    return Promise.race([this.closed.then(() => true), raceTimer(ms, false)]);
  }

  destroy() {
    if (this.sock && !this.sock.destroyed) this.sock.destroy();
  }
}

/** Sends one hand-made request (string or Buffer) on a new connection; resolves the answer. */
export async function rawRequest(port, data, opts = {}) {
  const conn = new RawConnection(port);
  await conn.connect();
  try {
    return await conn.send(data, opts);
  } finally {
    conn.destroy();
  }
}

/** "GET <target> HTTP/1.1" with Host and Connection: close, plus extra header lines. */
export function rawGet(target, extraHeaders = []) {
  return Buffer.concat([
    Buffer.from('GET ', 'latin1'),
    Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
    Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`, 'latin1'),
  ]);
}
