// The film pages in Chromium: a film uploaded through tus and processed by the server plays
// through hls.js (video.currentTime advances), its captions can be switched on (the text
// track's mode becomes "showing"); the film page, the library and the upload page pass axe
// (no serious or critical violation), log nothing to the console (CSP, script errors) and
// their served HTML passes the Nu checker.
//
// One server (a copy of the init + demo fixture) and one chromium for the whole file.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { DEMO, clientAs, startServer } from '../http/lib/server.mjs';
import { VTT, makeVideo, tusUpload, waitReady } from '../http/lib/films.mjs';
import { postMultipart } from '../http/lib/photos.mjs';
import {
  HtmlCollector,
  formatAxe,
  formatProblems,
  formatVnu,
  launchBrowser,
  loginThroughForm,
  newContext,
  runAxe,
  screenshot,
  watchConsole,
  writeReport,
} from './lib/browser.mjs';

const PAGE_TIMEOUT = 120_000;

let server;
let browser;
let collector;
const sessions = {};
const axeFindings = [];
const state = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-films-');
  for (const role of ['anonymous', 'supervisor']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
  // a public film of a demo group, uploaded and processed by the server
  const sup = await clientAs(server, 'supervisor');
  const r = await sup.postJson('/api/v1/films', {
    group: 'demo-lumieres-du-quartier', title: 'La mire qui chante', synopsis: 'Une mire de test et un la.',
    genre: 'experimental', visibility: 'public', download_allowed: true,
  });
  assert.equal(r.status, 201, r.text);
  state.id = r.json().id;
  await tusUpload(sup, state.id, makeVideo(8));
  await waitReady(sup, state.id);
  const cap = await postMultipart(sup, `/films/${state.id}/sous-titres`, {
    fields: { lang: 'fr' },
    files: [{ field: 'captions', name: 'fr.vtt', type: 'text/vtt', bytes: Buffer.from(VTT) }],
  });
  assert.equal(cap.status, 303, cap.text.slice(0, 300));
});

after(async () => {
  writeReport('browser-films-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

async function checkPage(t, role, name, target, { expect } = {}) {
  const { context, page, problems } = sessions[role];
  problems.length = 0;
  const response = await page.goto(server.url + target);
  assert.ok(response, `${name}: no response for ${target}`);
  assert.equal(response.status(), 200, `${name}: status of ${page.url()}`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (expect) await expect(page);
  await collector.add(context, page.url(), name, { expectStatus: 200 });
  await screenshot(page, name);
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

describe('the player', () => {
  test('the film plays through hls.js and its captions can be switched on', { timeout: PAGE_TIMEOUT }, async (t) => {
    await checkPage(t, 'anonymous', 'film-show', `/films/${state.id}`, {
      expect: async (page) => {
        await page.waitForFunction(() => window.Hls && document.querySelector('video').lanterneHls);
        const src = await page.evaluate(() => document.querySelector('video').src);
        assert.match(src, /^blob:/, 'hls.js attached a MediaSource to the video');
        await page.evaluate(() => { const v = document.querySelector('video'); v.muted = true; return v.play(); });
        await page.waitForFunction(() => document.querySelector('video').currentTime > 1, null, { timeout: 30_000 });
        const level = await page.evaluate(() => document.querySelector('video').lanterneHls.levels.length);
        assert.ok(level >= 1, 'hls.js read the master playlist');
        const tracks = await page.evaluate(() => {
          const tt = document.querySelector('video').textTracks;
          tt[0].mode = 'showing';
          return { n: tt.length, kind: tt[0].kind, lang: tt[0].language, mode: tt[0].mode };
        });
        assert.deepEqual(tracks, { n: 1, kind: 'subtitles', lang: 'fr', mode: 'showing' });
        await page.waitForFunction(() => {
          const tr = document.querySelector('video').textTracks[0];
          return tr.cues && tr.cues.length > 0;
        }, null, { timeout: 10_000 });
        const cue = await page.evaluate(() => document.querySelector('video').textTracks[0].cues[0].text);
        assert.equal(cue, 'Bonjour le quartier');
      },
    });
  });

  test('the embed page plays too', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.anonymous;
    problems.length = 0;
    const res = await page.goto(`${server.url}/films/${state.id}/embed`);
    assert.equal(res.status(), 200);
    await page.waitForFunction(() => document.querySelector('video').lanterneHls);
    await page.evaluate(() => { const v = document.querySelector('video'); v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 30_000 });
    assert.equal(problems.length, 0, formatProblems(problems));
    await collector.add(sessions.anonymous.context, page.url(), 'film-embed', { expectStatus: 200 });
    const { failing } = await runAxe(page);
    assert.equal(failing.length, 0, formatAxe(failing, 'film-embed'));
  });
});

describe('pages', () => {
  test('the library', { timeout: PAGE_TIMEOUT }, async (t) => {
    await checkPage(t, 'anonymous', 'film-list', '/films', {
      expect: async (page) => assert.equal(await page.locator('.film-card').filter({ hasText: 'La mire qui chante' }).count(), 1),
    });
  });

  test('the film page of its editor and the upload page', { timeout: PAGE_TIMEOUT }, async (t) => {
    await checkPage(t, 'supervisor', 'film-show-editor', `/films/${state.id}`);
    await checkPage(t, 'supervisor', 'film-upload', `/films/${state.id}/fichier`, {
      expect: async (page) => {
        assert.equal(await page.locator('form[data-tus]').isVisible(), true, 'the upload form is shown with JavaScript');
        assert.equal(await page.locator('.needs-js').isVisible(), false);
        assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).isVisible(), false, 'no pause before the upload starts');
        assert.equal(await page.getByRole('button', { name: 'Reprendre', exact: true }).isVisible(), false);
      },
    });
    await checkPage(t, 'supervisor', 'film-edit', `/films/${state.id}/modifier`);
    await checkPage(t, 'supervisor', 'film-extras', `/films/${state.id}/generique`);
    await checkPage(t, 'supervisor', 'film-new', '/films/nouveau');
    await checkPage(t, 'supervisor', 'film-delete', `/films/${state.id}/supprimer`);
    const admin = await clientAs(server, 'admin');
    const col = await admin.postJson('/api/v1/collections', { title: 'Films de mires', description: 'Pour essayer.' });
    assert.equal(col.status, 201, col.text);
    const add = await admin.postJson(`/api/v1/collections/${col.json().slug}/films`, { film_id: state.id });
    assert.equal(add.status, 204, add.text);
    await checkPage(t, 'anonymous', 'film-collection', `/films/collections/${col.json().slug}`, {
      expect: async (page) => assert.equal(await page.locator('.film-card').count(), 1),
    });
    await checkPage(t, 'anonymous', 'film-list-filtered', `/films?collection=${col.json().slug}&sort=title&q=mire`, {
      expect: async (page) => assert.equal(await page.locator('.film-card').count(), 1),
    });
  });

  test('the upload page sends a file through tus-js-client', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.supervisor;
    problems.length = 0;
    await page.goto(`${server.url}/films/${state.id}/fichier`);
    await page.locator('#film-file').setInputFiles(makeVideo(3));
    await Promise.all([
      page.waitForURL(`${server.url}/films/${state.id}`, { timeout: 60_000 }),
      page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
    ]);
    // back on the film's page: the new file is being processed (or already is)
    assert.match(await page.locator('main').textContent(), /Préparation du film|La mire qui chante/);
    assert.equal(problems.length, 0, formatProblems(problems));
  });
});

describe('pausing an upload', () => {
  test('pause stops the bytes, resume sends the rest, on a slow connection', { timeout: PAGE_TIMEOUT }, async () => {
    const sup = await clientAs(server, 'supervisor');
    const r = await sup.postJson('/api/v1/films', { group: 'demo-lumieres-du-quartier', title: 'Film en pause', visibility: 'group' });
    assert.equal(r.status, 201, r.text);
    const id = r.json().id;
    const { page, problems } = sessions.supervisor;
    problems.length = 0;
    await page.goto(`${server.url}/films/${id}/fichier`);
    // a connection of a youth club: 1 MB/s up
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const slow = { offline: false, latency: 40, downloadThroughput: 4_000_000, uploadThroughput: 1_000_000 };
    await cdp.send('Network.emulateNetworkConditions', slow);
    const size = 6 * 1024 * 1024;
    await page.locator('#film-file').setInputFiles({ name: 'long.mp4', mimeType: 'video/mp4', buffer: crypto.randomBytes(size) });
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    const bar = page.locator('progress');
    await page.waitForFunction(() => document.querySelector('progress').value >= 10, null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    assert.match(await page.locator('.upload-status').textContent(), /en pause/);
    assert.equal(await page.getByRole('button', { name: 'Reprendre', exact: true }).isVisible(), true);
    // paused: the progress stops
    const v1 = await bar.evaluate((b) => b.value);
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(await bar.evaluate((b) => b.value), v1, 'no progress while paused');
    assert.ok(v1 < 100, `paused at ${v1} %`);
    // resumed, on a good connection again: the rest goes, and the film page follows
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await Promise.all([
      page.waitForURL(`${server.url}/films/${id}`, { timeout: 60_000 }),
      page.getByRole('button', { name: 'Reprendre', exact: true }).click(),
    ]);
    const f = (await sup.get(`/api/v1/films/${id}`)).json();
    assert.notEqual(f.status, 'draft', JSON.stringify(f));
    assert.notEqual(f.status, 'uploading', JSON.stringify(f));
    assert.equal(problems.length, 0, formatProblems(problems));
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every film page above has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 6, `only ${collector.size} pages collected`);
    const { errors } = await collector.validate();
    writeReport('browser-films-vnu.json', errors);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
