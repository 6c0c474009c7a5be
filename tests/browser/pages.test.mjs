// Every main page, as the role that sees it: axe-core (no serious or critical violation of
// WCAG 2.1 A/AA and best practices), a full-page screenshot, and the HTML as served kept
// for one Nu checker run at the end (no error), and nothing in the console (a CSP violation,
// a script error, a failed request). Then a couple of pages without JavaScript.
//
// One server (a copy of the init + demo fixture) and one chromium for the whole file.

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
  loginThroughForm,
  newContext,
  runAxe,
  screenshot,
  watchConsole,
  writeReport,
} from './lib/browser.mjs';

const PAGE_TIMEOUT = 60_000;

let server;
let browser;
let collector;
const sessions = {}; // role -> {context, page, problems}
const axeFindings = []; // every violation of every page, for the report
let hcStructureUrl; // a structure of Hors Cadre (the demo coordinator's territory)

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-pages-');
  // the real CSP applies (axe-core is injected through the DevTools protocol, which it does
  // not govern): a CSP violation of a page shows in the console and fails its test
  for (const role of ['anonymous', 'english', 'admin', 'coordinator', 'participant']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
  // the first structure of Hors Cadre in the list (sorted by name): deterministic demo data
  const res = await fetch(`${server.url}/structures?coordination=hors-cadre`);
  const m = (await res.text()).match(/<th scope="row"><a href="(\/structures\/\d+)">/);
  assert.ok(m, 'no Hors Cadre structure in the demo data');
  hcStructureUrl = m[1];
});

after(async () => {
  writeReport('browser-pages-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/**
 * Opens a page as role (goto `target`, or `navigate(page)` for a click path), checks its
 * status and language, keeps its served HTML, takes the screenshot, runs axe.
 */
async function checkPage(t, role, name, target, { status = 200, lang = 'fr', navigate, expect } = {}) {
  const { context, page, problems } = sessions[role];
  problems.length = 0;
  let response = null;
  if (navigate) {
    // started before the click, so it cannot miss the navigation (redirects included)
    [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), navigate(page)]);
  } else {
    response = await page.goto(server.url + target);
    assert.ok(response, `${name}: no response for ${target}`);
    assert.equal(response.status(), status, `${name}: status of ${target}`);
  }
  if (navigate) {
    assert.equal(response && response.status(), status, `${name}: status after the click`);
    const u = new URL(page.url());
    assert.equal(u.pathname + u.search, target, `${name}: landed on ${page.url()}`);
  }
  assert.equal(await page.locator('html').getAttribute('lang'), lang, `${name}: <html lang>`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (expect) await expect(page);

  await collector.add(context, page.url(), name, { expectStatus: status });
  await screenshot(page, name);

  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  for (const v of others) {
    t.diagnostic(`axe ${name}, not failing: [${v.impact}] ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

const clickLink = (name, opts = {}) => (page) => page.getByRole('link', { name, exact: true, ...opts }).first().click();

describe('anonymous', () => {
  test('home', { timeout: PAGE_TIMEOUT }, (t) => checkPage(t, 'anonymous', 'home', '/'));

  test('coordinations list', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'coordinations', '/coordinations'));

  test('a coordination page (Hors Cadre, with its map)', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'coordination-hors-cadre', '/coordinations/hors-cadre', {
      expect: async (page) => assert.equal(await page.locator('h1').textContent(), 'Hors Cadre'),
    }));

  test('structures list', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'structures', '/structures', {
      expect: async (page) => assert.ok(await page.locator('table.structures tbody tr').count() > 1),
    }));

  test('structures list, page 2 (through "Page suivante")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.anonymous.page.goto(`${server.url}/structures`);
    await checkPage(t, 'anonymous', 'structures-page-2', '/structures?page=2', {
      navigate: (page) => page.getByRole('navigation', { name: 'Pagination' })
        .getByRole('link', { name: 'Page suivante' }).click(),
      expect: async (page) => assert.ok(await page.locator('table.structures tbody tr').count() > 0),
    });
  });

  test('structures list, filtered (coordination and type)', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'structures-filtered', '/structures?q=&coordination=hors-cadre&type=cinema&commune=', {
      expect: async (page) => {
        const rows = page.locator('table.structures tbody tr');
        assert.ok((await rows.count()) >= 1, 'at least one cinema in Hors Cadre');
        for (const text of await rows.allTextContents()) assert.match(text, /Hors Cadre/);
      },
    }));

  test('structures list, invalid filter (unknown commune, 400)', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'structures-invalid-filter', '/structures?commune=Atlantide', {
      status: 400,
      expect: async (page) => {
        assert.equal(await page.locator('#f-commune').getAttribute('aria-invalid'), 'true');
        assert.match(await page.locator('#f-commune').getAttribute('aria-describedby'), /\bf-commune-error\b/);
      },
    }));

  test('a structure page', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'structure', hcStructureUrl, {
      expect: async (page) => {
        const coord = page.locator('dl.details').getByRole('link', { name: 'Hors Cadre' });
        assert.equal(await coord.count(), 1);
      },
    }));

  test('login page', { timeout: PAGE_TIMEOUT }, (t) => checkPage(t, 'anonymous', 'login', '/connexion'));

  test('a 404 page', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'error-404', '/nulle-part/introuvable', {
      status: 404,
      expect: async (page) => assert.equal(await page.locator('.error-code').textContent(), '404'),
    }));
});

describe('english', () => {
  test('home in English, through the footer\'s "English" link', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.english.page.goto(`${server.url}/`);
    await checkPage(t, 'english', 'home-en', '/', {
      lang: 'en',
      navigate: (page) => page.locator('footer').getByRole('link', { name: 'English' }).click(),
      expect: async (page) => {
        const back = page.locator('footer').getByRole('link', { name: 'Français' });
        assert.equal(await back.getAttribute('hreflang'), 'fr');
        assert.equal(await back.getAttribute('lang'), 'fr');
      },
    });
  });
});

describe('admin', () => {
  test('users list', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'admin', 'admin-users', '/admin/utilisateurs', {
      expect: async (page) => assert.ok(await page.locator('table.users tbody tr').count() >= 4),
    }));

  test('new user form', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'admin', 'admin-user-new', '/admin/utilisateurs/nouveau'));

  test('user edit form (encadrant, from the list)', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.admin;
    await page.goto(`${server.url}/admin/utilisateurs`);
    const href = await page.locator('table.users').getByRole('link', { name: 'encadrant', exact: true }).getAttribute('href');
    assert.match(href, /^\/admin\/utilisateurs\/\d+$/);
    await checkPage(t, 'admin', 'admin-user-edit', href, { navigate: clickLink('encadrant') });
  });

  test('new coordination form', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'admin', 'coordination-new', '/coordinations/nouvelle'));

  test('coordination edit form', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'admin', 'coordination-edit', '/coordinations/hors-cadre/modifier'));
});

describe('coordinator', () => {
  test('new structure form (through "Ajouter une structure")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.coordinator.page.goto(`${server.url}/structures`);
    await checkPage(t, 'coordinator', 'structure-new', '/structures/nouvelle', {
      navigate: clickLink('Ajouter une structure'),
    });
  });

  test('structure edit form (through "Modifier")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.coordinator.page.goto(server.url + hcStructureUrl);
    await checkPage(t, 'coordinator', 'structure-edit', `${hcStructureUrl}/modifier`, {
      navigate: clickLink('Modifier'),
      expect: async (page) => assert.notEqual(await page.locator('#st-name').inputValue(), ''),
    });
  });

  test('structure delete confirmation (through "Supprimer")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.coordinator.page.goto(server.url + hcStructureUrl);
    await checkPage(t, 'coordinator', 'structure-delete', `${hcStructureUrl}/supprimer`, {
      navigate: clickLink('Supprimer'),
      expect: async (page) => assert.equal(
        await page.getByRole('button', { name: 'Supprimer définitivement' }).count(), 1),
    });
  });

  test('account page of a coordinator', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'coordinator', 'account-coordinator', '/compte'));
});

describe('participant', () => {
  test('account page', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'participant', 'account', '/compte', {
      expect: async (page) => assert.match(await page.locator('main').textContent(), /jeune/),
    }));
});

describe('Nu HTML checker', () => {
  test('the served HTML of every page above has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 20, `only ${collector.size} pages collected (some page tests failed early)`);
    const { errors } = await collector.validate();
    writeReport('browser-pages-vnu.json', errors);
    t.diagnostic(`vnu checked ${collector.size} pages: ${errors.length} error(s)`);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});

describe('without JavaScript', () => {
  let context;
  let page;
  let problems;
  before(async () => {
    context = await newContext(browser, { javaScriptEnabled: false });
    page = await context.newPage();
    problems = watchConsole(page);
  });
  after(async () => {
    if (context) await context.close();
  });

  test('home works without JavaScript', { timeout: PAGE_TIMEOUT }, async () => {
    const res = await page.goto(`${server.url}/`);
    assert.equal(res.status(), 200);
    assert.ok(await page.locator('h1').isVisible());
    await clickAndWait(page, page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Structures' }));
    assert.equal(new URL(page.url()).pathname, '/structures');
    await screenshot(page, 'nojs-structures');
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });

  test('structures list: the filters work by clicking "Filtrer"', { timeout: PAGE_TIMEOUT }, async () => {
    await page.goto(`${server.url}/structures`);
    const filters = page.getByRole('search');
    await filters.getByLabel('Coordination').selectOption({ label: 'Hors Cadre' });
    await filters.getByLabel('Type').selectOption('cinema');
    await clickAndWait(page, filters.getByRole('button', { name: 'Filtrer' }));
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('coordination'), 'hors-cadre');
    assert.equal(u.searchParams.get('type'), 'cinema');
    const rows = page.locator('table.structures tbody tr');
    assert.ok((await rows.count()) >= 1, 'the filtered list has rows');
    for (const text of await rows.allTextContents()) assert.match(text, /Hors Cadre/);
    // the form keeps the criteria, and "Tout afficher" resets them
    assert.equal(await filters.getByLabel('Coordination').inputValue(), 'hors-cadre');
    assert.equal(await filters.getByLabel('Type').inputValue(), 'cinema');
    await screenshot(page, 'nojs-structures-filtered');
    await clickAndWait(page, filters.getByRole('link', { name: 'Tout afficher' }));
    assert.equal(new URL(page.url()).search, '');
    // pagination is plain links
    await clickAndWait(page, page.getByRole('navigation', { name: 'Pagination' }).getByRole('link', { name: 'Page suivante' }));
    assert.equal(new URL(page.url()).searchParams.get('page'), '2');
    assert.ok((await rows.count()) >= 1);
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });
});
