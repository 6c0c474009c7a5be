// What a new user does, step by step, in one browser under the site's real CSP: a wrong
// password then the right one through the login form, a structure created through the
// form (accents, apostrophes), found again in the list, a validation failure round trip,
// logging out; then the language switch to English and back. Screenshots of the key steps
// ($TEST_OUTPUT/screenshots/flow-*.png); axe-core on the states only a POST reaches, and
// one Nu checker run over their HTML as served. Nothing may show in the console.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO, startServer } from '../http/lib/server.mjs';
import {
  HtmlCollector,
  clickAndWait,
  formatAxe,
  formatProblems,
  formatVnu,
  launchBrowser,
  newContext,
  runAxe,
  screenshot,
  watchConsole,
  writeReport,
} from './lib/browser.mjs';

const STEP_TIMEOUT = 60_000;

const STRUCTURE = {
  name: "Ciné-club l'Étoile de Lens",
  type: 'Association',
  commune: '62498', // Lens, Pas-de-Calais: in Hors Cadre's territory
  address: "3 rue de l'Église, 62300 Lens",
  email: 'contact@etoile-lens.fr',
  phone: '03 21 00 00 00',
  website: 'https://www.etoile-lens.fr',
  description: "Séances « jeunes programmateurs » le mercredi, ateliers d'éducation aux images.",
};

let server;
let browser;
let context;
let page;
let problems;
let collector;
const axeFindings = [];
let structureUrl; // the page of the structure created by the flow

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  problems = watchConsole(page);
  collector = new HtmlCollector('lanterne-vnu-flows-');
});

after(async () => {
  writeReport('browser-flows-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

const path = () => new URL(page.url()).pathname;
const main = () => page.locator('main');
const header = () => page.locator('header.site-header');

function assertQuietConsole(step) {
  const found = problems.splice(0);
  assert.equal(found.length, 0, `console during "${step}":\n${formatProblems(found)}`);
}

/** axe on the page as it stands: no serious or critical violation. */
async function audit(t, name) {
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, url: page.url(), ...v });
  for (const v of others) {
    t.diagnostic(`axe ${name}, not failing: [${v.impact}] ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}):\n${formatAxe(failing, name)}`);
}

/**
 * Clicks `locator` (a submit button); resolves the answer to the form's POST once the
 * page it leads to (after a redirect, or the answer itself) has loaded.
 */
async function submit(locator, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return response;
}

const follow = (locator) => clickAndWait(page, locator);

describe('a coordinator\'s first visit', () => {
  test('a wrong password: the login form says so, in French, and keeps the identifier', { timeout: STEP_TIMEOUT }, async (t) => {
    await page.goto(`${server.url}/`);
    await follow(header().getByRole('link', { name: 'Se connecter' }));
    assert.equal(path(), '/connexion');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/');
    await screenshot(page, 'flow-01-login-form');

    const form = main().locator('form');
    await form.getByLabel('Identifiant').pressSequentially(DEMO.coordinator.login);
    await form.getByLabel('Mot de passe').pressSequentially('pas-le-bon-mot-de-passe');
    const res = await submit(form.getByRole('button', { name: 'Se connecter' }), '/connexion');
    assert.ok(res.status() >= 400 && res.status() < 500, `status ${res.status()}`);
    const body = await res.text();
    collector.addSource('flow-login-error', `POST ${res.url()}`, body, res.status());

    const alert = main().getByRole('alert');
    assert.equal(await alert.count(), 1);
    assert.match(await alert.textContent(), /[a-zé]/i);
    const login = main().getByLabel('Identifiant');
    assert.equal(await login.inputValue(), DEMO.coordinator.login, 'the identifier is kept');
    assert.equal(await login.getAttribute('aria-invalid'), 'true');
    assert.equal(await main().getByLabel('Mot de passe').inputValue(), '', 'the password is not sent back');
    await screenshot(page, 'flow-01b-login-error');
    await audit(t, 'flow-login-error');
    assertQuietConsole('wrong password');
  });

  test('log in through the form (type the identifier and the password, click the button)', { timeout: STEP_TIMEOUT }, async () => {
    const form = main().locator('form');
    await form.getByLabel('Identifiant').fill('');
    await form.getByLabel('Identifiant').pressSequentially(DEMO.coordinator.login);
    await form.getByLabel('Mot de passe').pressSequentially(DEMO.coordinator.password);
    const res = await submit(form.getByRole('button', { name: 'Se connecter' }), '/connexion');
    assert.equal(res.status(), 303);
    assert.equal(path(), '/', 'back where the visit started');
    assert.equal(await header().getByRole('button', { name: 'Se déconnecter' }).count(), 1);
    assert.match(await header().locator('.who').textContent(), /Coordinateur·rice régional·e/);
    assert.equal(await header().getByRole('link', { name: 'Se connecter' }).count(), 0);
    await screenshot(page, 'flow-02-logged-in');
    assertQuietConsole('log in');
  });

  test('create a structure through the form and land on its page', { timeout: STEP_TIMEOUT }, async (t) => {
    await follow(header().getByRole('link', { name: 'Structures', exact: true }));
    assert.equal(path(), '/structures');
    await follow(main().getByRole('link', { name: 'Ajouter une structure' }));
    assert.equal(path(), '/structures/nouvelle');

    const form = main().locator('form');
    await form.getByLabel('Nom (obligatoire)').pressSequentially(STRUCTURE.name);
    await form.getByLabel('Type (obligatoire)').selectOption({ label: STRUCTURE.type });
    await form.getByLabel('Commune (obligatoire)').fill(STRUCTURE.commune);
    await form.getByLabel('Adresse', { exact: true }).fill(STRUCTURE.address);
    await form.getByLabel('Adresse e-mail').fill(STRUCTURE.email);
    await form.getByLabel('Téléphone').fill(STRUCTURE.phone);
    await form.getByLabel('Site web').fill(STRUCTURE.website);
    await form.getByLabel('Présentation').fill(STRUCTURE.description);
    await screenshot(page, 'flow-03-new-structure-filled');

    const res = await submit(form.getByRole('button', { name: 'Enregistrer' }), '/structures');
    assert.equal(res.status(), 303, `POST /structures answered ${res.status()}`);
    assert.match(path(), /^\/structures\/\d+$/, `landed on ${page.url()}`);
    structureUrl = path();

    assert.equal(await main().getByRole('status').textContent(), 'Structure enregistrée.');
    assert.equal(await main().locator('h1').textContent(), STRUCTURE.name);
    assert.equal(await page.title(), `${STRUCTURE.name} · Passeurs d'images`);
    const details = main().locator('dl.details');
    const text = (await details.textContent()).replace(/\s+/g, ' ');
    assert.match(text, /Association/);
    assert.match(text, /Lens \(62\)/);
    assert.match(text, /62498/);
    assert.match(text, /3 rue de l'Église, 62300 Lens/);
    assert.match(text, /03 21 00 00 00/);
    assert.equal(await details.getByRole('link', { name: 'Hors Cadre' }).getAttribute('href'), '/coordinations/hors-cadre');
    assert.equal(await details.getByRole('link', { name: STRUCTURE.email }).getAttribute('href'), `mailto:${STRUCTURE.email}`);
    assert.equal(await details.getByRole('link', { name: STRUCTURE.website }).getAttribute('href'), STRUCTURE.website);
    assert.equal(await main().locator('.structure-description').textContent(), STRUCTURE.description);
    await screenshot(page, 'flow-04-structure-created');
    await audit(t, 'flow-structure-created');
    await collector.add(context, page.url(), 'flow-structure-created', { expectStatus: 200 });
    assertQuietConsole('create a structure');
  });

  test('find it again in the list, by searching its name', { timeout: STEP_TIMEOUT }, async (t) => {
    assert.ok(structureUrl, 'the structure was created');
    await follow(main().getByRole('navigation', { name: "Fil d'Ariane" }).getByRole('link', { name: 'Structures partenaires' }));
    assert.equal(path(), '/structures');
    const filters = main().getByRole('search');
    await filters.getByLabel('Nom').pressSequentially("l'Étoile");
    await filters.getByLabel('Coordination').selectOption({ label: 'Hors Cadre' });
    await follow(filters.getByRole('button', { name: 'Filtrer' }));
    assert.equal(path(), '/structures');
    assert.equal(new URL(page.url()).searchParams.get('q'), "l'Étoile");
    assert.equal(await filters.getByLabel('Nom').inputValue(), "l'Étoile", 'the search is kept');

    const link = main().locator('table.structures').getByRole('link', { name: STRUCTURE.name, exact: true });
    assert.equal(await link.count(), 1, 'the new structure is in the results');
    assert.equal(await link.getAttribute('href'), structureUrl);
    const row = main().locator('table.structures tbody tr')
      .filter({ has: page.getByRole('link', { name: STRUCTURE.name, exact: true }) });
    assert.match((await row.textContent()).replace(/\s+/g, ' '), /Lens \(62\).*Hors Cadre/);
    await screenshot(page, 'flow-05-structures-search');
    await audit(t, 'flow-structures-search');
    await collector.add(context, page.url(), 'flow-structures-search', { expectStatus: 200 });

    await follow(link);
    assert.equal(path(), structureUrl);
    assert.equal(await main().locator('h1').textContent(), STRUCTURE.name);
    assertQuietConsole('find it in the list');
  });

  test('a validation failure: the form comes back with the values kept and a French message next to the field', { timeout: STEP_TIMEOUT }, async (t) => {
    await page.goto(`${server.url}/structures`);
    await follow(main().getByRole('link', { name: 'Ajouter une structure' }));
    assert.equal(path(), '/structures/nouvelle');
    const form = main().locator('form');
    await form.getByLabel('Type (obligatoire)').selectOption({ label: 'Cinéma' });
    await form.getByLabel('Commune (obligatoire)').fill('59350');
    await form.getByLabel('Adresse', { exact: true }).fill('Place du Théâtre');
    await form.getByLabel('Présentation').fill("Un cinéma d'art et d'essai « pour tous ».");

    const res = await submit(form.getByRole('button', { name: 'Enregistrer' }), '/structures');
    assert.equal(res.status(), 422, `POST /structures with an empty name answered ${res.status()}`);
    collector.addSource('flow-structure-invalid', `POST ${res.url()}`, await res.text(), res.status());
    assert.equal(path(), '/structures');

    const name = main().getByLabel('Nom (obligatoire)');
    assert.equal(await name.inputValue(), '');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const describedBy = await name.getAttribute('aria-describedby');
    assert.ok(describedBy, 'the name field points to its message');
    const message = main().locator(`[id="${describedBy.split(/\s+/)[0]}"]`);
    assert.ok(await message.isVisible(), 'the message is shown');
    assert.equal(await message.textContent(), 'Le nom est obligatoire.');
    // the message sits next to the field, in the same .field block
    const field = main().locator('.field').filter({ has: page.locator('#st-name') });
    assert.equal(await field.locator('.field-error').textContent(), 'Le nom est obligatoire.');
    // the summary at the top of the form links to the field
    const summary = main().getByRole('alert');
    assert.match(await summary.textContent(), /n'a pas été enregistré/);
    assert.equal(await summary.getByRole('link').getAttribute('href'), `#${await name.getAttribute('id')}`);
    // the values are kept
    assert.equal(await form.getByLabel('Type (obligatoire)').inputValue(), 'cinema');
    assert.equal(await form.getByLabel('Commune (obligatoire)').inputValue(), '59350');
    assert.equal(await form.getByLabel('Adresse', { exact: true }).inputValue(), 'Place du Théâtre');
    assert.equal(await form.getByLabel('Présentation').inputValue(), "Un cinéma d'art et d'essai « pour tous ».");
    // the other fields are not marked
    assert.equal(await form.locator('[aria-invalid="true"]').count(), 1);
    await screenshot(page, 'flow-06-validation-error');
    await audit(t, 'flow-structure-invalid');

    // following the summary's link puts the focus in the field; then the fix goes through
    await summary.getByRole('link').click();
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'st-name');
    await page.keyboard.type('Cinéma « Le Métropole »');
    const fixed = await submit(form.getByRole('button', { name: 'Enregistrer' }), '/structures');
    assert.equal(fixed.status(), 303);
    assert.match(path(), /^\/structures\/\d+$/);
    assert.equal(await main().locator('h1').textContent(), 'Cinéma « Le Métropole »');
    assert.match((await main().locator('dl.details').textContent()).replace(/\s+/g, ' '), /Lille \(59\)/);
    assertQuietConsole('validation failure');
  });

  test('log out', { timeout: STEP_TIMEOUT }, async () => {
    const res = await submit(header().getByRole('button', { name: 'Se déconnecter' }), '/deconnexion');
    assert.equal(res.status(), 303);
    assert.equal(path(), '/');
    assert.equal(await header().getByRole('link', { name: 'Se connecter' }).count(), 1);
    assert.equal(await header().getByRole('button', { name: 'Se déconnecter' }).count(), 0);
    await screenshot(page, 'flow-07-logged-out');
    // the account page now asks to log in
    await page.goto(`${server.url}/compte`);
    assert.equal(path(), '/connexion');
    // the structure is still public
    const r = await page.goto(server.url + structureUrl);
    assert.equal(r.status(), 200);
    assert.equal(await main().getByRole('link', { name: 'Modifier' }).count(), 0, 'no edit link when logged out');
    assertQuietConsole('log out');
  });
});

describe('language', () => {
  test('switch to English with the footer link, and back to French', { timeout: STEP_TIMEOUT }, async (t) => {
    await page.goto(`${server.url}/structures?page=2`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    const footer = page.locator('footer');

    await follow(footer.getByRole('link', { name: 'English' }));
    assert.equal(path(), '/structures', 'the switch stays on the page');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    const fr = footer.getByRole('link', { name: 'Français' });
    assert.equal(await fr.count(), 1, 'the English page offers French');
    assert.equal(await footer.getByRole('link', { name: 'English' }).count(), 0);
    await screenshot(page, 'flow-08-english');
    await audit(t, 'flow-structures-en');

    // the choice sticks: another page is in English too
    await page.goto(`${server.url}/coordinations`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    await follow(fr);
    assert.equal(path(), '/coordinations');
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await footer.getByRole('link', { name: 'English' }).count(), 1);
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr', 'French sticks too');
    await screenshot(page, 'flow-09-french-again');
    assertQuietConsole('language switch');
  });
});

describe('Nu HTML checker', () => {
  test('the HTML served along the flow has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 1, 'no page collected');
    const { errors } = await collector.validate();
    writeReport('browser-flows-vnu.json', errors);
    t.diagnostic(`vnu checked ${collector.size} pages: ${errors.length} error(s)`);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
