// The job queue across processes: 1,000 jobs run by two `lanterne worker` processes, one of
// them SIGKILLed halfway, each job's effect committed exactly once; a killed worker's job
// taken up after its lease; heartbeats; the worker thread of `lanterne serve`.
//
// How "exactly once" is observed. The test_sleep job (src/job.c, enabled by
// LANTERNE_TEST_JOBS=1) sleeps, then appends "id attempt worker" to a file INSIDE the
// transaction that marks the job done, after re-checking under that transaction's lock that
// the job is still its own. So the line of the run that committed is the one whose attempt
// and worker are the job's final ones in the database; a line with any other attempt can
// only come from a run killed between its write and its commit (its transaction rolled back,
// the job ran again). The test checks: every job done, exactly one committed line per job,
// and at most one stray line, from the killed worker.
//
// Each test has its own data dir and database (with LANTERNE_TEST_DATABASE_URL, a PostgreSQL
// database of its own: see lib/server.mjs), so the same checks hold on both engines.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { BIN, SHARE_DIR, databaseEnv, freshDataDir, removeDataDir, runCli, startServer } from './lib/server.mjs';

const JOBS = 1000;
const JOB_MS = 5;
const LEASE_MS = 2000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dirs = [];
after(async () => {
  for (const d of dirs) await removeDataDir(d);
});

/** An empty data dir (and on PostgreSQL an empty database of its own); the first command migrates it. */
async function tempDir() {
  const d = await freshDataDir({ empty: true });
  dirs.push(d);
  return d;
}

const TEST_ENV = { LANTERNE_TEST_JOBS: '1' };

/** Starts `lanterne worker` on dataDir; resolves once it says it started. */
async function startWorker(dataDir, id, args = []) {
  const env = { ...process.env, LANTERNE_DATA_DIR: dataDir, LANTERNE_SHARE_DIR: SHARE_DIR };
  delete env.LANTERNE_DATABASE_URL;
  Object.assign(env, databaseEnv(dataDir), TEST_ENV);
  const child = spawn(BIN, ['worker', '--id', id, '--kinds', 'test_sleep', '--poll-ms', '20', ...args], {
    env, cwd: SHARE_DIR, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const w = { id, child, exited, log: () => log };
  const end = Date.now() + 30_000;
  while (!/started/.test(log)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`worker ${id} did not start:\n${log}`);
    await sleep(10);
  }
  return w;
}

async function cli(args, dataDir, input) {
  const res = await runCli(args, { dataDir, env: TEST_ENV, input });
  assert.equal(res.code, 0, `lanterne ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

/** The test_sleep jobs with ids from first to last as {id, state, attempts, worker}, by id. */
async function listJobs(dataDir, first, last = first) {
  const out = await cli(['jobs', 'list', '--kind', 'test_sleep', '--limit', '0'], dataDir);
  const jobs = new Map();
  for (const line of out.trim().split('\n').slice(1)) {
    const [id, state, , attempts, worker] = line.split('\t');
    if (Number(id) < first || Number(id) > last) continue;
    jobs.set(Number(id), { id: Number(id), state, attempts: Number(attempts.split('/')[0]), worker });
  }
  return jobs;
}

async function counts(dataDir, first, last) {
  const c = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const j of (await listJobs(dataDir, first, last)).values()) c[j.state]++;
  return c;
}

/** The lines test_sleep appended: [{id, attempt, worker}]. */
function readRuns(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [id, attempt, worker] = l.split(' ');
    return { id: Number(id), attempt: Number(attempt), worker };
  });
}

async function waitFor(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function enqueue(dataDir, payloads) {
  const out = await cli(['jobs', 'enqueue', 'test_sleep', '-'], dataDir, payloads.map((p) => JSON.stringify(p)).join('\n'));
  const m = out.match(/(\d+) jobs queued \(ids (\d+) to (\d+)\)/);
  assert.ok(m, out);
  assert.equal(Number(m[1]), payloads.length);
  return { first: Number(m[2]), last: Number(m[3]) };
}

describe('job queue', () => {
  test(`${JOBS} jobs, two worker processes, one SIGKILLed halfway: each job committed exactly once`, { timeout: 180_000 }, async (t) => {
    const dir = await tempDir();
    const out = path.join(dir, 'runs.txt');
    const { first, last } = await enqueue(dir, Array.from({ length: JOBS }, () => ({ ms: JOB_MS, file: out })));
    assert.equal(last - first + 1, JOBS);

    const lease = ['--lease-ms', String(LEASE_MS)];
    const [a, b] = await Promise.all([startWorker(dir, 'A', lease), startWorker(dir, 'B', lease)]);
    let killedAt;
    try {
      killedAt = await waitFor('half the jobs', () => {
        const n = readRuns(out).length;
        return n >= JOBS / 2 ? n : 0;
      });
      a.child.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      const t0 = Date.now();
      await waitFor(`all ${JOBS} jobs done`, async () => (await counts(dir, first, last)).done === JOBS, 120_000);
      const after = Date.now() - t0;
      // B alone finishes the rest; a job A held can only come back once its lease expired
      assert.ok(after < 60_000, `the survivor took ${after} ms`);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGTERM');
    }
    const bExit = await b.exited;
    assert.equal(bExit.code, 0, `worker B on SIGTERM: ${JSON.stringify(bExit)}\n${b.log().slice(-2000)}`);
    assert.match(b.log(), /worker B stopped/);

    const jobs = await listJobs(dir, first, last);
    assert.equal(jobs.size, JOBS);
    for (const j of jobs.values()) assert.equal(j.state, 'done', `job ${j.id}`);
    const c = await counts(dir, first, last);
    assert.deepEqual(c, { queued: 0, running: 0, done: JOBS, dead: 0 });

    const runs = readRuns(out);
    const committed = new Map();
    const stray = [];
    for (const r of runs) {
      const j = jobs.get(r.id);
      assert.ok(j, `a line for unknown job ${r.id}`);
      if (r.attempt === j.attempts && r.worker === j.worker) {
        assert.ok(!committed.has(r.id), `job ${r.id} committed twice`);
        committed.set(r.id, r);
      } else {
        stray.push(r);
      }
    }
    for (let id = first; id <= last; id++) assert.ok(committed.has(id), `job ${id} has no committed run`);
    assert.equal(committed.size, JOBS);
    // only the killed worker can leave a line without its commit, and only for the job in hand
    assert.ok(stray.length <= 1, `stray lines: ${JSON.stringify(stray)}`);
    for (const s of stray) assert.equal(s.worker, 'A');
    // at most the one job A held ran again, and B is the one who finished it
    const retried = [...jobs.values()].filter((j) => j.attempts > 1);
    assert.ok(retried.length <= 1, `jobs run more than once: ${JSON.stringify(retried)}`);
    for (const j of retried) assert.equal(j.worker, 'B');
    const byA = [...committed.values()].filter((r) => r.worker === 'A').length;
    // (A may finish a job or two between the file read that decided the kill and the kill)
    assert.ok(byA > 0 && byA <= killedAt + 10, `A committed ${byA} jobs; killed at ${killedAt} lines`);
    assert.ok(JOBS - byA >= JOBS - killedAt - 10, `B committed ${JOBS - byA} jobs`);
    t.diagnostic(`killed A at ${killedAt} lines; A committed ${byA}, B ${JOBS - byA}; ` +
      `run again after the kill: ${retried.map((j) => j.id).join(', ') || 'none'}; stray lines: ${stray.length}`);
  });

  test('a job whose worker is SIGKILLed mid-run is taken up again once its lease expires', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'runs.txt');
    const { first: id } = await enqueue(dir, [{ ms: 2000, file: out }]);
    const a = await startWorker(dir, 'A', ['--lease-ms', '1500']);
    await waitFor('A to hold the job', async () => (await listJobs(dir, id)).get(id).state === 'running', 10_000);
    a.child.kill('SIGKILL');
    await a.exited;
    const killed = Date.now();
    const b = await startWorker(dir, 'B', ['--lease-ms', '1500']);
    try {
      await waitFor('the job to be done', async () => (await listJobs(dir, id)).get(id).state === 'done', 30_000);
    } finally {
      b.child.kill('SIGTERM');
    }
    await b.exited;
    // B waited for the lease (up to 1.5 s) and then ran the 2 s job itself
    assert.ok(Date.now() - killed >= 2000, `done ${Date.now() - killed} ms after the kill`);
    const j = (await listJobs(dir, id)).get(id);
    assert.equal(j.attempts, 2);
    assert.equal(j.worker, 'B');
    assert.deepEqual(readRuns(out), [{ id, attempt: 2, worker: 'B' }]);
    assert.match(b.log(), new RegExp(`job ${id} \\(test_sleep\\) done`));
  });

  test('a job longer than its lease stays with its live worker (heartbeats)', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'runs.txt');
    const { first: id } = await enqueue(dir, [{ ms: 2500, file: out }]);
    const args = ['--lease-ms', '600'];
    const ws = await Promise.all([startWorker(dir, 'A', args), startWorker(dir, 'B', args)]);
    try {
      await waitFor('the job to be done', async () => (await listJobs(dir, id)).get(id).state === 'done', 30_000);
    } finally {
      for (const w of ws) w.child.kill('SIGTERM');
    }
    for (const w of ws) assert.equal((await w.exited).code, 0);
    const j = (await listJobs(dir, id)).get(id);
    assert.equal(j.attempts, 1, 'taken from a worker that was alive');
    assert.equal(readRuns(out).length, 1);
  });

  test('`lanterne jobs` refuses unknown kinds and non-object payloads; retry needs a dead job', async () => {
    const dir = await tempDir();
    const bad = await runCli(['jobs', 'enqueue', 'nope', '{}'], { dataDir: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Type de tâche inconnu : « nope »/);
    const arr = await runCli(['jobs', 'enqueue', 'session_purge', '[1]'], { dataDir: dir  });
    assert.equal(arr.code, 1);
    assert.match(arr.stderr, /objet JSON/);
    // test_sleep exists only where LANTERNE_TEST_JOBS=1
    const hidden = await runCli(['jobs', 'enqueue', 'test_sleep', '{}'], { dataDir: dir  });
    assert.equal(hidden.code, 1);
    const ok = await runCli(['jobs', 'enqueue', 'session_purge'], { dataDir: dir  });
    assert.equal(ok.code, 0, ok.stderr);
    const id = Number(ok.stdout.match(/job (\d+) queued/)[1]);
    const retry = await runCli(['jobs', 'retry', String(id)], { dataDir: dir  });
    assert.equal(retry.code, 1);
    assert.match(retry.stderr, /abandonnée/);
    const badKinds = await runCli(['worker', '--kinds', 'nope'], { dataDir: dir  });
    assert.equal(badKinds.code, 2);
  });

  test('`lanterne serve` runs jobs on its worker thread, stops cleanly, and not with --no-worker', { timeout: 120_000 }, async () => {
    for (const noWorker of [false, true]) {
      const server = await startServer({ env: TEST_ENV, args: noWorker ? ['--no-worker'] : [] });
      try {
        const out = path.join(server.dataDir, 'runs.txt');
        // without a file when no worker runs it here: whoever takes it later loses nothing
        const { first: id } = await enqueue(server.dataDir, [noWorker ? { ms: 1 } : { ms: 1, file: out }]);
        if (noWorker) {
          await sleep(1500);
          assert.equal((await listJobs(server.dataDir, id)).get(id).state, 'queued');
        } else {
          await waitFor('the embedded worker', async () => (await listJobs(server.dataDir, id)).get(id).state === 'done', 20_000);
          assert.equal(readRuns(out).length, 1);
          // the worker thread must not take SIGTERM from http_serve's sigwait
          await server.waitForLog(/worker .* done in/);
        }
        const res = await fetch(`${server.url}/healthz`);
        assert.equal(res.status, 200);
      } finally {
        const stop = await server.stop();
        assert.equal(stop.code, 0, `serve exit: ${JSON.stringify(stop)}\n${server.logs().slice(-2000)}`);
        assert.equal(stop.killed, false);
      }
    }
  });
});
