// `lanterne db copy` on the demo dataset: SQLite -> PostgreSQL -> a fresh SQLite file, each
// hop proved by the command's own table (rows and checksum per table, all OK) and again by
// --verify-only; a server on the PostgreSQL copy lists the same structures and finds the same
// communes as one on the original, and logs in with the copied accounts. A changed row is
// reported as a MISMATCH.
//
// PostgreSQL: a database of its own in the cluster of LANTERNE_TEST_DATABASE_URL when set
// (make test's PostgreSQL pass), else a throwaway cluster from scripts/pg-test-cluster.sh
// when its server programs are installed (PGBIN, default /usr/lib/postgresql/15/bin) or
// LANTERNE_TEST_PG=1 asks for one; otherwise the suite is skipped, saying why.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client, REPO_ROOT, login, runCli, startServer } from './lib/server.mjs';

const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';
const PG_URL_RX = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/;
const SHARED_PG = PG_URL_RX.test(process.env.LANTERNE_TEST_DATABASE_URL || '')
  ? process.env.LANTERNE_TEST_DATABASE_URL : null;
const OWN_CLUSTER = !SHARED_PG && (process.env.LANTERNE_TEST_PG === '1' || fs.existsSync(path.join(PGBIN, 'initdb')));
const SKIP = SHARED_PG || OWN_CLUSTER ? false
  : `no PostgreSQL: set LANTERNE_TEST_DATABASE_URL, or install the server programs (${PGBIN}/initdb) or set LANTERNE_TEST_PG=1`;

const COMMUNES = 34969; // the demo dataset's reference data (@etalab/decoupage-administratif)

function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.error) throw new Error(`psql: ${r.error.message} (is postgresql-client installed?)`);
  if (r.status !== 0) throw new Error(`psql ${JSON.stringify(sql)} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The command's table: {name: {rows, sum, result}}, and its closing line. */
function parseReport(stdout) {
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^TABLE\s+ROWS\s+CHECKSUM\s+RESULT$/, stdout);
  const tables = {};
  for (const line of lines.slice(1, -1)) {
    const m = line.match(/^(\S+)\s+(\d+)\s+([0-9a-f]{32})\s+(OK|MISMATCH.*)$/);
    assert.ok(m, `not a report line: ${JSON.stringify(line)}`);
    tables[m[1]] = { rows: Number(m[2]), sum: m[3], result: m[4] };
  }
  return { tables, last: lines.at(-1) };
}

function assertAllOk(report, stdout) {
  for (const [name, t] of Object.entries(report.tables)) assert.equal(t.result, 'OK', `${name}: ${stdout}`);
  assert.match(report.last, /^\d+ tables, \d+ rows: identical$/);
}

async function copy(from, to, extra = []) {
  const t0 = Date.now();
  const res = await runCli(['db', 'copy', '--from', from, '--to', to, ...extra], { timeout: 300_000 });
  return { ...res, ms: Date.now() - t0 };
}

describe('lanterne db copy', { skip: SKIP, timeout: 600_000 }, () => {
  const dirs = [];
  let pgUrl; // the empty database the copy goes to
  let dropDb = null; // on a shared cluster: the database to drop afterwards
  let pgState = null; // on our own cluster: its state file
  let srcDir;
  let sqliteUrl;
  let backUrl;
  let toPg;

  const tempDir = (prefix) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  before(async () => {
    if (SHARED_PG) {
      const name = `lanterne_dbcopy_${process.pid}`;
      const m = SHARED_PG.match(PG_URL_RX);
      psql(SHARED_PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      psql(SHARED_PG, `CREATE DATABASE ${name}`);
      dropDb = name;
      pgUrl = `${m[1]}/${name}${m[3] || ''}`;
    } else {
      pgState = path.join(REPO_ROOT, 'build', `pg-test-cluster.dbcopy.${process.pid}`);
      const r = spawnSync(path.join(REPO_ROOT, 'scripts/pg-test-cluster.sh'), ['start'], {
        encoding: 'utf8', env: { ...process.env, LANTERNE_PG_STATE: pgState, PGBIN },
      });
      if (r.status !== 0) throw new Error(`scripts/pg-test-cluster.sh start failed:\n${r.stderr}`);
      pgUrl = r.stdout.trim();
    }
    srcDir = tempDir('lanterne-dbcopy-src-');
    for (const cmd of ['init', 'demo']) {
      const res = await runCli([cmd], { dataDir: srcDir, timeout: 600_000 });
      assert.equal(res.code, 0, `lanterne ${cmd}: ${res.stderr}`);
    }
    sqliteUrl = `sqlite:${path.join(srcDir, 'lanterne.db')}`;
    backUrl = `sqlite:${path.join(tempDir('lanterne-dbcopy-back-'), 'lanterne.db')}`;
  });

  after(() => {
    if (dropDb) psql(SHARED_PG, `DROP DATABASE IF EXISTS ${dropDb} WITH (FORCE)`);
    if (pgState) {
      spawnSync(path.join(REPO_ROOT, 'scripts/pg-test-cluster.sh'), ['stop'], {
        env: { ...process.env, LANTERNE_PG_STATE: pgState, PGBIN }, stdio: 'ignore',
      });
    }
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('SQLite -> PostgreSQL: every table copied, counted and checksummed', async (t) => {
    const res = await copy(sqliteUrl, pgUrl);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    toPg = parseReport(res.stdout);
    assertAllOk(toPg, res.stdout);
    t.diagnostic(`demo dataset SQLite -> PostgreSQL: ${res.ms} ms (${res.stderr.trim().split('\n').at(-1)})`);
    assert.equal(toPg.tables.communes.rows, COMMUNES);
    assert.ok(toPg.tables.structures.rows > 0);
    assert.ok(toPg.tables.users.rows >= 4);
    assert.equal(toPg.tables.schema_migrations, undefined, 'schema_migrations is the target\'s own');
    // progress for the big table, on stderr
    assert.match(res.stderr, /communes copied: 10000 \/ 34969 rows/);
    assert.match(res.stderr, /communes copied: 34969 \/ 34969 rows/);
  });

  test('PostgreSQL -> a fresh SQLite file: the same counts and checksums', async (t) => {
    const res = await copy(pgUrl, backUrl, ['--batch', '500']);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const back = parseReport(res.stdout);
    assertAllOk(back, res.stdout);
    t.diagnostic(`demo dataset PostgreSQL -> SQLite: ${res.ms} ms (${res.stderr.trim().split('\n').at(-1)})`);
    assert.deepEqual(Object.keys(back.tables).sort(), Object.keys(toPg.tables).sort());
    for (const [name, tb] of Object.entries(back.tables)) {
      assert.equal(tb.rows, toPg.tables[name].rows, name);
      assert.equal(tb.sum, toPg.tables[name].sum, name);
    }
  });

  test('--verify-only: the original against each copy', async () => {
    for (const other of [pgUrl, backUrl]) {
      const res = await copy(sqliteUrl, other, ['--verify-only']);
      assert.equal(res.code, 0, res.stderr + res.stdout);
      const rep = parseReport(res.stdout);
      assertAllOk(rep, res.stdout);
      for (const [name, tb] of Object.entries(rep.tables)) assert.equal(tb.sum, toPg.tables[name].sum, name);
    }
  });

  test('a copy never goes into a database that holds data', async () => {
    const res = await copy(sqliteUrl, pgUrl);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /already holds data/);
    assert.equal(res.stdout, '');
    const missing = await copy(`sqlite:${path.join(srcDir, 'nope.db')}`, backUrl);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no database at/);
    assert.equal(fs.existsSync(path.join(srcDir, 'nope.db')), false);
  });

  test('a server on the PostgreSQL copy serves the same structures', async () => {
    const onSqlite = await startServer({ dataDir: srcDir });
    const onPg = await startServer({ dataDir: tempDir('lanterne-dbcopy-pgdir-'), env: { LANTERNE_DATABASE_URL: pgUrl } });
    try {
      const totals = [];
      const labels = [];
      const found = [];
      for (const s of [onSqlite, onPg]) {
        const c = new Client(s.url);
        const api = await c.get('/api/v1/structures');
        assert.equal(api.status, 200, api.text);
        totals.push(api.json().total);
        const page = await c.get('/structures');
        assert.equal(page.status, 200);
        labels.push(page.text.match(/<p class="meta">([^<·]*)/)[1].trim());
        // commune search runs on the index the target's own migration and triggers built
        const search = await c.get('/api/v1/communes?q=saint-eti&limit=5');
        assert.equal(search.status, 200, search.text);
        found.push(search.text);
      }
      assert.match(found[0], /Saint-Étienne/);
      assert.equal(found[1], found[0]);
      assert.equal(totals[1], totals[0]);
      assert.equal(totals[0], toPg.tables.structures.rows);
      assert.equal(labels[1], labels[0]);
      // the copied accounts log in, and the session (a new row) is written on the copy
      await login(new Client(onPg.url), 'admin', 'lanterne-admin');
    } finally {
      await onSqlite.stop();
      await onPg.stop();
    }
  });

  test('a changed row is reported as a MISMATCH', async () => {
    psql(pgUrl, "UPDATE structures SET name = name || ' (modifié)' WHERE id = (SELECT min(id) FROM structures)");
    const res = await copy(sqliteUrl, pgUrl, ['--verify-only']);
    assert.equal(res.code, 1, res.stdout);
    const rep = parseReport(res.stdout);
    assert.match(rep.tables.structures.result, /^MISMATCH: target has \d+ rows, checksum [0-9a-f]{32}$/);
    assert.equal(rep.tables.communes.result, 'OK');
    assert.match(rep.last, /tables differ$/);
  });
});
