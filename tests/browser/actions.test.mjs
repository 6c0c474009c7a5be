// The action pages in Chromium: a coordinator records an action on one page (the form works
// as plain HTML: communes typed one a line, checkboxes, a 422 with the message next to its
// field, then success), and finds it on its page and in the list. Every action page passes
// axe (no serious or critical violation), logs nothing to the console, is screenshot, and
// its served HTML passes the Nu checker.
//
// One server (a copy of the init + demo fixture) and one chromium for the whole file.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO, startServer } from '../http/lib/server.mjs';
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
const TITLE = 'Atelier ouaouaron, Roubaix';

let server;
let browser;
let collector;
const sessions = {};
const axeFindings = [];
const state = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-actions-');
  for (const role of ['anonymous', 'coordinator']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
});

after(async () => {
  writeReport('browser-actions-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/** axe, console and screenshot on the page as it is now; its HTML for the Nu checker. */
async function audit(role, name, { html } = {}) {
  const { context, page, problems } = sessions[role];
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (html) collector.addSource(name, page.url(), html, 422);
  else await collector.add(context, page.url(), name, { expectStatus: 200 });
  await screenshot(page, name);
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

/** What the coordination's figures page of 2026 shows: the key figure, the bar of film-making
 * workshops, the map's Nord and Seine-Saint-Denis, and the same in the tables behind them. */
async function figuresNow(page) {
  await page.goto(`${server.url}/coordinations/hors-cadre/chiffres?annee=2026`);
  return page.evaluate(() => {
    const num = (s) => Number(String(s).replace(/[^0-9]/g, '') || 0);
    const title = (sel) => { const t = document.querySelector(sel); return t ? t.textContent : ''; };
    const bar = [...document.querySelectorAll('svg.chart title')].find((t) => t.textContent.startsWith('Atelier de pratique : réalisation de film :'));
    const cells = (label) => {
      for (const tr of document.querySelectorAll('table tr')) {
        const th = tr.querySelector('th');
        if (th && th.textContent.trim() === label) return num(tr.querySelector('td').textContent);
      }
      return -1;
    };
    const mapCount = (code) => { const t = title(`path[data-code="${code}"] title`); return t ? num(t.split(':').pop()) : 0; };
    return {
      actions: num(document.querySelector('[data-key="actions"]').textContent),
      films: bar ? num(bar.textContent.split(':').pop()) : -1,
      filmsTable: cells('Atelier de pratique : réalisation de film'),
      nord: mapCount('59'),
      seineSaintDenis: mapCount('93'),
    };
  });
}

describe('a coordinator records an action on one page', () => {
  test('from the list, through the form (a refusal first), to the action\'s page, and the figures follow at once', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.coordinator;
    problems.length = 0;
    const before = await figuresNow(page);
    await page.goto(`${server.url}/`);
    await Promise.all([page.waitForURL(`${server.url}/actions`), page.getByRole('link', { name: 'Actions', exact: true }).click()]);
    await audit('coordinator', 'action-list-coordinator');
    await Promise.all([page.waitForURL(`${server.url}/actions/nouvelle`), page.getByRole('link', { name: 'Nouvelle action' }).click()]);
    await audit('coordinator', 'action-new');

    const form = page.locator('main form[method="post"]');
    await form.getByLabel('Titre (obligatoire)', { exact: true }).fill(TITLE);
    await form.getByLabel('Description', { exact: true }).fill('Un court métrage documentaire sur le canal, tourné par des collégiens.');
    await form.getByLabel("Type d'action (obligatoire)", { exact: true }).selectOption('workshop_film');
    await form.getByLabel('Statut', { exact: true }).selectOption('in_progress');
    await form.getByLabel('Date de début (obligatoire)', { exact: true }).fill('2026-02-02');
    await form.getByLabel('Date de fin (obligatoire)', { exact: true }).fill('2026-04-30');
    // a name shared by several communes: the server asks for the département
    await form.getByLabel('Communes (obligatoire)', { exact: true }).fill('Roubaix\nSaint-Denis');
    await form.getByLabel('Intervenants', { exact: true }).fill('Chloé Dumas');
    await form.getByLabel('Jeunesse', { exact: true }).check();
    await form.getByLabel('Documentaire', { exact: true }).check();
    await form.getByLabel('Quartier prioritaire (QPV)', { exact: true }).check();
    await form.getByLabel('Participants de 12 à 17 ans', { exact: true }).fill('11');
    await form.getByLabel('Spectateurs', { exact: true }).fill('90');
    await form.getByLabel('Heures de pratique', { exact: true }).fill('36');
    await form.getByLabel('Montant demandé', { exact: true }).fill('6000');
    await form.getByLabel('Montant accordé', { exact: true }).fill('5000');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/actions'),
      form.getByRole('button', { name: "Enregistrer l'action" }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(refused.status(), 422);
    const message = page.locator('#fi-communes-error');
    assert.match(await message.textContent(), /Saint-Denis : précisez le département \(11, 30, 93, 974\)/);
    assert.equal(await page.locator('#fi-communes').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Titre (obligatoire)', { exact: true }).inputValue(), TITLE, 'the values are kept');
    assert.equal(await page.getByLabel('Jeunesse', { exact: true }).isChecked(), true);
    await audit('coordinator', 'action-new-refused', { html: await refused.text() });

    await page.getByLabel('Communes (obligatoire)', { exact: true }).fill('Roubaix\nSaint-Denis (93)');
    await Promise.all([
      page.waitForURL(/\/actions\/\d+$/),
      page.locator('main form[method="post"]').getByRole('button', { name: "Enregistrer l'action" }).click(),
    ]);
    state.url = new URL(page.url()).pathname;
    assert.match(await page.locator('.flash').textContent(), /Action enregistrée/);
    const main = await page.locator('main').textContent();
    for (const text of [TITLE, 'Roubaix (59)', 'Saint-Denis (93)', 'Chloé Dumas', 'Documentaire', '5000 €']) {
      assert.ok(main.includes(text), `the action's page shows ${text}`);
    }
    await audit('coordinator', 'action-show-coordinator');
    // the figures, the chart, the map and the tables behind them count it at once
    const after = await figuresNow(page);
    assert.equal(after.actions, before.actions + 1, 'key figure');
    assert.equal(after.films, before.films + 1, 'bar of film-making workshops');
    assert.equal(after.filmsTable, before.filmsTable + 1, 'table behind the chart');
    assert.equal(after.nord, before.nord + 1, 'the map: Nord (Roubaix)');
    assert.equal(after.seineSaintDenis, before.seineSaintDenis + 1, 'the map: Seine-Saint-Denis');
    await screenshot(page, 'figures-after-action');
    assert.equal(problems.length, 0, formatProblems(problems));
  });
});

describe('pages', () => {
  test('the edit form and the deletion page', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.coordinator;
    await page.goto(`${server.url}${state.url}/modifier`);
    assert.equal(await page.getByLabel('Titre (obligatoire)', { exact: true }).inputValue(), TITLE);
    await audit('coordinator', 'action-edit');
    await page.goto(`${server.url}${state.url}/supprimer`);
    await audit('coordinator', 'action-delete');
  });

  test('an anonymous visitor: the list, filtered, and the action without its budget', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.anonymous;
    await page.goto(`${server.url}/actions?q=ouaouaron&sort=title`);
    assert.equal(await page.locator('tbody tr').count(), 1);
    await audit('anonymous', 'action-list-filtered');
    await page.goto(`${server.url}${state.url}`);
    assert.doesNotMatch(await page.locator('main').textContent(), /5000 €|Budget/);
    await audit('anonymous', 'action-show');
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every action page above has no error', { timeout: 180_000 }, async () => {
    assert.ok(collector.size >= 8, `only ${collector.size} pages collected`);
    const { errors } = await collector.validate();
    writeReport('browser-actions-vnu.json', errors);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
