// The film collection pages in Chromium, without JavaScript needed: a coordinator creates a
// collection through the form (an empty title first: the 422 page names the field), adds a
// demo film by its number and another from the film's page; the list of collections, a
// collection's page (for visitors and for its manager), the forms and the confirmation page
// pass axe (no serious or critical violation), log nothing to the console, and their served
// HTML (the 422 answers included) passes the Nu checker.
//
// One server (a copy of the init + demo fixture, with its demo films) and one chromium.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO, clientAs, startServer } from '../http/lib/server.mjs';
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
  collector = new HtmlCollector('lanterne-vnu-collections-');
  for (const role of ['anonymous', 'coordinator']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
  const admin = await clientAs(server, 'admin');
  const films = (await admin.get('/api/v1/films?per_page=100')).json().items;
  state.pub = films.filter((f) => f.visibility === 'public' && f.public);
  assert.ok(state.pub.length >= 2, 'the demo has two public films');
});

after(async () => {
  writeReport('browser-collections-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/** axe and the console on the page as it is now; name for reports. */
async function checkCurrent(role, name) {
  const { page, problems } = sessions[role];
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  await screenshot(page, name);
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

async function checkPage(role, name, target, { expect } = {}) {
  const { context, page, problems } = sessions[role];
  problems.length = 0;
  const response = await page.goto(server.url + target);
  assert.ok(response, `${name}: no response for ${target}`);
  assert.equal(response.status(), 200, `${name}: status of ${page.url()}`);
  if (expect) await expect(page);
  await collector.add(context, page.url(), name, { expectStatus: 200 });
  await checkCurrent(role, name);
}

/** Submits the form holding button and waits for the page it leads to; resolves its response. */
async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  return response;
}

describe('collection pages', () => {
  test('the empty list, then the new-collection form and its 422 page', { timeout: PAGE_TIMEOUT }, async () => {
    await checkPage('anonymous', 'collections-empty', '/films/collections', {
      expect: async (page) => assert.match(await page.locator('main').textContent(), /Aucune collection pour le moment/),
    });
    await checkPage('coordinator', 'collection-new', '/films/collections/nouvelle');
    const { page, problems } = sessions.coordinator;
    problems.length = 0;
    const bad = await submit(page, page.getByRole('button', { name: 'Créer la collection' }));
    assert.equal(bad.status(), 422);
    assert.equal(await page.locator('#fc-title').getAttribute('aria-invalid'), 'true');
    collector.addSource('collection-new-422', page.url(), await bad.text(), 422);
    await checkCurrent('coordinator', 'collection-new-422');
    await page.getByLabel('Titre (obligatoire)').fill('Regards du Nord');
    await page.getByLabel('Description').fill('Une sélection de films d\'atelier de la région.');
    const ok = await submit(page, page.getByRole('button', { name: 'Créer la collection' }));
    assert.equal(ok.status(), 200);
    assert.match(page.url(), /\/films\/collections\/regards-du-nord$/);
    state.url = '/films/collections/regards-du-nord';
  });

  test("the manager's collection page: a film added by its number, the 422 page for an unknown one", { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.coordinator;
    problems.length = 0;
    await page.goto(server.url + state.url);
    await page.getByLabel('Numéro du film à ajouter').fill('999999');
    const bad = await submit(page, page.getByRole('button', { name: 'Ajouter le film' }));
    assert.equal(bad.status(), 422);
    collector.addSource('collection-add-422', page.url(), await bad.text(), 422);
    await checkCurrent('coordinator', 'collection-add-422');
    await page.getByLabel('Numéro du film à ajouter').fill(String(state.pub[0].id));
    const ok = await submit(page, page.getByRole('button', { name: 'Ajouter le film' }));
    assert.equal(ok.status(), 200);
    assert.equal(await page.locator('.film-card').count(), 1);
    await checkPage('coordinator', 'collection-manager', state.url, {
      expect: async (p) => assert.equal(await p.getByRole('button', { name: /Retirer/ }).count(), 1),
    });
  });

  test("a film's page offers its manager the add-to-collection form", { timeout: PAGE_TIMEOUT }, async () => {
    const id = state.pub[1].id;
    await checkPage('coordinator', 'film-show-collections', `/films/${id}`);
    const { page } = sessions.coordinator;
    await page.getByLabel('Ajouter à une collection').selectOption({ label: 'Regards du Nord' });
    const res = await submit(page, page.getByRole('button', { name: 'Ajouter', exact: true }));
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('a.tag', { hasText: 'Regards du Nord' }).count(), 1);
    // the same form's 422 page (sent by hand: the select only offers valid choices)
    const coord = await clientAs(server, 'coordinator');
    const bad = await coord.post(`/films/${id}/collections`, { collection: '' });
    assert.equal(bad.status, 422);
    collector.addSource('film-collection-add-422', `${server.url}/films/${id}/collections`, bad.text, 422);
  });

  test('the list, the page for visitors, the edit form and the confirmation page', { timeout: PAGE_TIMEOUT }, async () => {
    await checkPage('anonymous', 'collections', '/films/collections', {
      expect: async (page) => assert.match(await page.locator('main').textContent(), /Regards du Nord/),
    });
    await checkPage('coordinator', 'collections-manager', '/films/collections');
    await checkPage('anonymous', 'collection', state.url, {
      expect: async (page) => {
        assert.equal(await page.locator('.film-card').count(), 2);
        assert.equal(await page.locator('form').filter({ has: page.locator('[name="film_id"]') }).count(), 0);
      },
    });
    await checkPage('coordinator', 'collection-edit', `${state.url}/modifier`);
    await checkPage('coordinator', 'collection-delete', `${state.url}/supprimer`);
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every collection page above has no error', { timeout: 180_000 }, async () => {
    assert.ok(collector.size >= 11, `only ${collector.size} pages collected`);
    const { errors } = await collector.validate();
    writeReport('browser-collections-vnu.json', errors);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
