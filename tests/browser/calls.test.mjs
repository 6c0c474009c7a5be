// Calls for projects in Chromium, from opening to an accepted application to an action: the
// demo coordinator opens a call through its form (a refusal first), the demo supervisor
// ("encadrant") applies for their structure, attaches a PDF and submits, the coordinator
// accepts with an amount, the applicant sees the decision among their applications, and the
// coordinator makes the action in one step. Every page passes axe (no serious or critical
// violation), logs nothing to the console, is screenshot, and its served HTML passes the Nu
// checker.
//
// One server (a copy of the init + demo fixture) and one chromium for the whole file.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { makePdf } from '../http/lib/images.mjs';
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
const CALL = 'Appel à projets « Regards croisés »';
const PROJECT = 'Le canal filmé par les ados';

let server;
let browser;
let collector;
const sessions = {};
const axeFindings = [];
const state = {};

/** A local date n days from today, YYYY-MM-DD. */
function day(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-calls-');
  for (const role of ['supervisor', 'coordinator']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    await loginThroughForm(page, server.url, DEMO[role]);
  }
});

after(async () => {
  writeReport('browser-calls-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/** axe, console and screenshot on the page as it is now; its HTML for the Nu checker. */
async function audit(role, name, { html, status = 422 } = {}) {
  const { context, page, problems } = sessions[role];
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (html) collector.addSource(name, page.url(), html, status);
  else await collector.add(context, page.url(), name, { expectStatus: 200 });
  await screenshot(page, name);
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

describe('a call for projects, from opening to an action', () => {
  test('the coordinator opens the call (a refusal first)', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.coordinator;
    await page.goto(`${server.url}/`);
    await Promise.all([page.waitForURL(`${server.url}/appels`), page.getByRole('link', { name: 'Appels à projets', exact: true }).click()]);
    await audit('coordinator', 'call-list-coordinator');
    await Promise.all([page.waitForURL(`${server.url}/appels/nouveau`), page.getByRole('link', { name: 'Ouvrir un appel à projets' }).click()]);
    await audit('coordinator', 'call-new');
    const form = page.locator('main form[method="post"]');
    await form.getByLabel('Titre (obligatoire)', { exact: true }).fill(CALL);
    await form.getByLabel('Ouverture (obligatoire)', { exact: true }).fill(day(5));
    await form.getByLabel('Clôture (obligatoire)', { exact: true }).fill(day(1));
    await form.getByLabel('Enveloppe (euros)', { exact: true }).fill('20 000');
    await form.getByLabel('Règlement', { exact: true }).fill('Un projet par structure.\nUn intervenant professionnel.');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/appels'),
      form.getByRole('button', { name: 'Enregistrer' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(refused.status(), 422);
    assert.match(await page.locator('#fi-closes_on-error').textContent(), /La clôture ne peut pas précéder l'ouverture/);
    assert.equal(await page.locator('#fi-closes_on').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Titre (obligatoire)', { exact: true }).inputValue(), CALL, 'the values are kept');
    await audit('coordinator', 'call-new-refused', { html: await refused.text() });
    await page.getByLabel('Ouverture (obligatoire)', { exact: true }).fill(day(-2));
    await page.getByLabel('Clôture (obligatoire)', { exact: true }).fill(day(20));
    await Promise.all([page.waitForURL(/\/appels\/\d+$/), page.getByRole('button', { name: 'Enregistrer' }).click()]);
    state.callUrl = page.url();
    assert.match(await page.locator('main').textContent(), new RegExp(`ouvert jusqu'au ${day(20)}`));
    await audit('coordinator', 'call-show-empty');
  });

  test('the supervisor applies, attaches a PDF and submits', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.supervisor;
    await page.goto(`${server.url}/appels`);
    await audit('supervisor', 'call-list-supervisor');
    await Promise.all([page.waitForURL(state.callUrl), page.getByRole('link', { name: CALL }).click()]);
    await audit('supervisor', 'call-show-supervisor');
    await Promise.all([page.waitForURL(/\/candidater$/), page.getByRole('link', { name: 'Candidater' }).click()]);
    await audit('supervisor', 'app-new');
    const form = page.locator('main form[method="post"]');
    await form.getByLabel('Titre du projet (obligatoire)', { exact: true }).fill(PROJECT);
    await form.getByLabel('Le projet', { exact: true }).fill('Huit séances de tournage le long du canal, une projection publique en juin.');
    await form.getByLabel("Type d'action (obligatoire)", { exact: true }).selectOption('workshop_film');
    await form.getByLabel("Intervenant (professionnel de l'image)", { exact: true }).fill('Chloé Dumas');
    await form.getByLabel('Début prévu (obligatoire)', { exact: true }).fill('2027-02-01');
    await form.getByLabel('Fin prévue (obligatoire)', { exact: true }).fill('2027-05-31');
    await form.getByLabel('Communes (obligatoire)', { exact: true }).fill('Saint-Denis');
    await form.getByLabel('Public', { exact: true }).fill('10 collégiens de 12 à 15 ans');
    await form.getByLabel('Budget demandé (euros)', { exact: true }).fill('7000');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/candidatures$/.test(new URL(r.url()).pathname)),
      form.getByRole('button', { name: 'Enregistrer le brouillon' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(refused.status(), 422);
    assert.match(await page.locator('#fi-communes-error').textContent(), /Saint-Denis : précisez le département/);
    await audit('supervisor', 'app-new-refused', { html: await refused.text() });
    await page.getByLabel('Communes (obligatoire)', { exact: true }).fill('Roubaix\nSaint-Denis (93)');
    await Promise.all([page.waitForURL(/\/candidatures\/\d+$/), page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()]);
    state.appUrl = page.url();
    await audit('supervisor', 'app-draft');
    await page.getByLabel('Ajouter un fichier PDF', { exact: true }).setInputFiles({ name: 'dossier.pdf', mimeType: 'application/pdf', buffer: makePdf() });
    await Promise.all([page.waitForURL(state.appUrl), page.getByRole('button', { name: 'Joindre' }).click()]);
    assert.equal(await page.getByRole('link', { name: 'dossier.pdf' }).count(), 1);
    await Promise.all([page.waitForURL(state.appUrl), page.getByRole('button', { name: 'Déposer la candidature' }).click()]);
    assert.match(await page.locator('.app-status').textContent(), /Déposée/);
    assert.match(await page.locator('main').textContent(), /ne peut plus être modifiée/);
    await audit('supervisor', 'app-submitted');
  });

  test('the coordinator accepts with an amount', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.coordinator;
    await page.goto(state.callUrl);
    await audit('coordinator', 'call-show-apps');
    await Promise.all([page.waitForURL(state.appUrl), page.getByRole('link', { name: PROJECT }).click()]);
    await audit('coordinator', 'app-review');
    await page.getByLabel('Acceptée', { exact: true }).check();
    await page.getByLabel('Montant accordé (euros, si acceptée)', { exact: true }).fill('6500');
    await Promise.all([page.waitForURL(state.appUrl), page.getByRole('button', { name: 'Enregistrer la décision' }).click()]);
    assert.match(await page.locator('.decision').textContent(), /Montant accordé : 6500 €/);
    await audit('coordinator', 'app-accepted');
  });

  test('the applicant sees the decision among their applications', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.supervisor;
    await page.goto(`${server.url}/candidatures`);
    const row = page.locator('tr', { hasText: PROJECT });
    assert.match(await row.textContent(), /Acceptée/);
    assert.match(await row.textContent(), /6500 €/);
    await audit('supervisor', 'app-mine');
  });

  test('"Créer l\'action": the action exists, pre-filled', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.coordinator;
    await page.goto(state.appUrl);
    await Promise.all([page.waitForURL(/\/actions\/\d+\/modifier$/), page.getByRole('button', { name: "Créer l'action" }).click()]);
    assert.match(await page.locator('main').textContent(), /Action créée à partir de la candidature/);
    assert.equal(await page.getByLabel('Titre (obligatoire)', { exact: true }).inputValue(), PROJECT);
    assert.equal(await page.getByLabel('Montant accordé', { exact: true }).inputValue(), '6500');
    assert.equal(await page.getByLabel('Montant demandé', { exact: true }).inputValue(), '7000');
    assert.match(await page.getByLabel('Communes (obligatoire)', { exact: true }).inputValue(), /Saint-Denis \(93\)/);
    await screenshot(page, 'app-action-created');
    await page.goto(state.appUrl);
    assert.equal(await page.getByRole('link', { name: "Voir l'action créée" }).count(), 1);
    assert.equal(await page.getByRole('button', { name: "Créer l'action" }).count(), 0);
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every call page above has no error', { timeout: 180_000 }, async () => {
    assert.ok(collector.size >= 12, `only ${collector.size} pages collected`);
    const { errors } = await collector.validate();
    writeReport('browser-calls-vnu.json', errors);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
