// The demo's years of actions (issue 6 point 7, src/demo_year.c): `lanterne demo` on the
// fixture wrote the current year and the four before it, about 2,500 actions each, for every
// coordination, all listed by the actions API; `--years` is checked before anything is done.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client, fixtureTemplate, runCli, startServer } from './lib/server.mjs';

let server;
let anon;
let demoText;
const YEAR = new Date().getFullYear();

before(async () => {
  demoText = fs.readFileSync(path.join(await fixtureTemplate(), 'demo.txt'), 'utf8');
  server = await startServer();
  anon = new Client(server.url);
});

after(async () => {
  await server?.stop();
});

describe('lanterne demo: the years of actions', () => {
  test('five years up to the current one, each the size of the network', () => {
    const years = [...demoText.matchAll(/^Demo year (\d{4}): (\d+) actions \(not cancelled\), (\d+) people reached, (\d+) workshop participants, (\d+) films\.$/gm)]
      .map((m) => m.slice(1).map(Number));
    assert.deepEqual(years.map((y) => y[0]), [YEAR - 4, YEAR - 3, YEAR - 2, YEAR - 1, YEAR], demoText);
    for (const [year, actions, reached, participants, films] of years.slice(0, 4)) {
      assert.ok(actions >= 2200 && actions <= 2800, `${year}: ${actions} actions`);
      assert.ok(reached >= 190000 && reached <= 280000, `${year}: ${reached} people reached`);
      assert.ok(participants >= 10000 && participants <= 15000, `${year}: ${participants} participants`);
      assert.ok(films >= 450 && films <= 750, `${year}: ${films} films`);
    }
    assert.match(demoText, /^Demo actions: 5 years in [\d.]+ s\.$/m);
  });

  test('the actions API lists them, year by year, with every coordination', async () => {
    const last = await anon.get(`/api/v1/actions?year=${YEAR - 1}&per_page=1`);
    assert.equal(last.status, 200);
    const body = last.json();
    assert.ok(body.total >= 2300 && body.total <= 2800, `total ${body.total}`);
    const older = await anon.get(`/api/v1/actions?year=${YEAR - 5}&per_page=1`);
    assert.equal(older.json().total, 0, 'nothing before the years asked');
    const coordinations = await anon.get('/api/v1/coordinations');
    assert.equal(coordinations.status, 200);
    const list = coordinations.json().items ?? coordinations.json();
    assert.ok(list.length >= 20);
    for (const co of list) {
      const res = await anon.get(`/api/v1/actions?year=${YEAR - 1}&coordination=${co.slug}&per_page=1`);
      assert.equal(res.status, 200, co.slug);
      assert.ok(res.json().total >= 10, `${co.slug}: ${res.json().total} actions`);
    }
    const summer = await anon.get(`/api/v1/actions?year=${YEAR - 1}&type=open_air&per_page=200`);
    const months = summer.json().items.map((a) => Number(a.start_date.slice(5, 7)));
    assert.ok(months.filter((m) => m >= 6 && m <= 9).length / months.length >= 0.85, 'open air in summer');
  });

  test('--years is checked: a number from 0 to 30', async () => {
    for (const bad of ['abc', '31', '-1', '']) {
      const res = await runCli(['demo', '--years', bad]);
      assert.equal(res.code, 2, `--years ${bad}`);
      assert.match(res.stderr, /--years takes a number from 0 to 30/);
    }
    const help = await runCli(['demo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--years N/);
  });
});
