// The workshop group pages, as the demo supervisor builds a group through its forms (create,
// participants, consents, a withdrawal) and as an anonymous visitor sees it: axe-core (no
// serious or critical violation), nothing in the console (CSP, script errors), a full-page
// screenshot ($TEST_OUTPUT/screenshots/group-*.png), and the HTML as served kept for one Nu
// checker run at the end (no error).
//
// One server (a copy of the init + demo fixture) and one chromium for the whole file; the
// tests run in order, each building on the previous one.

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

const PAGE_TIMEOUT = 60_000;
const TITLE = 'Atelier court métrage des Lilas';
const YEAR = '2026';
const UNDER15 = 'Camille';
const OLDER = 'Sacha';

let server;
let browser;
let collector;
const sessions = {}; // role -> {context, page, problems}
const axeFindings = [];
const state = {}; // slug, consent URLs, … as the tests find them

/** A date n days before today, as YYYY-MM-DD (a signature date is never in the future). */
function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-groups-');
  for (const role of ['anonymous', 'supervisor']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
});

after(async () => {
  writeReport('browser-groups-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/**
 * Checks the page as role: goto `target`, or `navigate(page)` (a click or a submit) and
 * then the landing URL is `target`. Status, <html lang>, one h1, the served HTML (fetched
 * again, or, with fromResponse, the body of the navigation's answer: a POST's 422), the
 * screenshot, axe, the console.
 */
async function checkPage(t, role, name, target, { status = 200, navigate, expect, fromResponse = false } = {}) {
  const { context, page, problems } = sessions[role];
  problems.length = 0;
  let response;
  if (navigate) {
    [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), navigate(page)]);
    assert.ok(response, `${name}: no response after the click`);
    const u = new URL(page.url());
    assert.equal(u.pathname + u.search, target, `${name}: landed on ${page.url()}`);
  } else {
    response = await page.goto(server.url + target);
    assert.ok(response, `${name}: no response for ${target}`);
  }
  assert.equal(response.status(), status, `${name}: status of ${page.url()}`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr', `${name}: <html lang>`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (expect) await expect(page);

  if (fromResponse) {
    assert.match(response.headers()['content-type'] || '', /^text\/html/i, `${name}: Content-Type`);
    collector.addSource(name, page.url(), await response.text(), status);
  } else {
    await collector.add(context, page.url(), name, { expectStatus: status });
  }
  await screenshot(page, name);

  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), ...v });
  for (const v of others) {
    t.diagnostic(`axe ${name}, not failing: [${v.impact}] ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

/** Submits form (a locator) by its button and waits for the page it leads to; resolves the response. */
async function submit(page, form, button) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    form.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return response;
}

function consentForm(page) {
  return page.locator('main form').filter({ has: page.getByRole('button', { name: 'Enregistrer le consentement' }) });
}

describe('supervisor', () => {
  test('new group form (through "Nouveau groupe")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.supervisor.page.goto(`${server.url}/groupes`);
    await checkPage(t, 'supervisor', 'group-new', '/groupes/nouveau', {
      navigate: (page) => page.getByRole('link', { name: 'Nouveau groupe', exact: true }).click(),
      expect: async (page) => {
        // the supervisor's one structure, after the "Choisir une structure" placeholder
        const options = page.locator('#gr-structure_id option');
        assert.equal(await options.count(), 2, 'the structure select: a placeholder and one structure');
        assert.equal(await options.nth(0).getAttribute('value'), '');
      },
    });
  });

  test('create the group (public page) and land on it', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    const form = page.locator('main form');
    await form.getByLabel('Titre (obligatoire)').fill(TITLE);
    await form.getByLabel('Année (obligatoire)').fill(YEAR);
    const structure = page.locator('#gr-structure_id option').nth(1);
    state.structureName = (await structure.textContent()).trim();
    await form.getByLabel('Structure d\'accueil (obligatoire)').selectOption(await structure.getAttribute('value'));
    await form.getByLabel('Présentation').fill('Un film d\'atelier tourné au printemps.');
    await form.getByLabel('Intervenants (professionnels du cinéma)').fill('Louise Réalisatrice\nPaul Monteur');
    await form.getByLabel('Visibilité de la page').selectOption('public');
    const response = await submit(page, form, 'Enregistrer');
    assert.equal(response.status(), 200, 'the redirect after the form leads to the group page');
    assert.match(new URL(page.url()).pathname, /^\/groupes\/[^/]+$/);
    assert.notEqual(new URL(page.url()).pathname, '/groupes/nouveau');
    state.slug = new URL(page.url()).pathname.split('/')[2];
    state.groupUrl = `/groupes/${state.slug}`;
    await checkPage(t, 'supervisor', 'group-show', state.groupUrl, {
      expect: async (p) => {
        assert.equal((await p.locator('h1').textContent()).trim(), TITLE);
        const details = await p.locator('dl.details').textContent();
        assert.match(details, new RegExp(YEAR));
        assert.ok(details.includes(state.structureName), 'the structure is shown');
        assert.match(details, /Tout le monde/);
      },
    });
  });

  test('group edit form (through "Modifier")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.supervisor.page.goto(server.url + state.groupUrl);
    await checkPage(t, 'supervisor', 'group-edit', `${state.groupUrl}/modifier`, {
      navigate: (page) => page.getByRole('link', { name: 'Modifier', exact: true }).click(),
      expect: async (page) => {
        assert.equal(await page.locator('#gr-title').inputValue(), TITLE);
        assert.equal(await page.locator('#gr-visibility').inputValue(), 'public');
      },
    });
  });

  test('add two participants, one of 12–14', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    await page.goto(server.url + state.groupUrl);
    await checkPage(t, 'supervisor', 'group-participants-empty', `${state.groupUrl}/participants`, {
      navigate: (p) => p.getByRole('link', { name: 'Participants et consentements', exact: true }).click(),
      expect: async (p) => assert.equal(await p.locator('table.participants').count(), 0),
    });
    for (const [name, band] of [[UNDER15, '12-14'], [OLDER, '15-17']]) {
      const form = page.locator('main form');
      await form.getByLabel('Prénom ou pseudonyme (obligatoire)').fill(name);
      await form.getByLabel('Tranche d\'âge (obligatoire)').selectOption(band);
      const res = await submit(page, form, 'Ajouter');
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, `${state.groupUrl}/participants`);
    }
    const rows = page.locator('table.participants tbody tr');
    assert.equal(await rows.count(), 2);
    for (const [name, key] of [[UNDER15, 'under15Consent'], [OLDER, 'olderConsent']]) {
      const href = await page.locator('table.participants').getByRole('link', { name: `Consentement : ${name}` }).getAttribute('href');
      assert.match(href, /^\/groupes\/[^/]+\/participants\/\d+\/consentement$/);
      state[key] = href;
    }
    assert.match(await rows.filter({ hasText: UNDER15 }).textContent(), /moins de 15 ans/);
  });

  test('consent of the under-15 with only the parent box: 422', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    await page.goto(server.url + state.under15Consent);
    const form = consentForm(page);
    await form.getByLabel('Tout le monde', { exact: true }).check();
    await form.getByLabel('Le parent ou tuteur a signé').check();
    await form.getByLabel('Signé le').fill(daysAgo(3));
    await checkPage(t, 'supervisor', 'group-consent-422', state.under15Consent, {
      status: 422,
      fromResponse: true,
      navigate: (p) => consentForm(p).getByRole('button', { name: 'Enregistrer le consentement' }).click(),
      expect: async (p) => {
        const box = p.locator('#co-minor_agreed');
        assert.equal(await box.getAttribute('aria-invalid'), 'true');
        assert.match(await box.getAttribute('aria-describedby'), /\bco-minor_agreed-error\b/);
        assert.match(await p.locator('#co-minor_agreed-error').textContent(), /moins de 15 ans/);
        // the values typed are kept
        assert.ok(await p.locator('#co-parent_agreed').isChecked());
        assert.ok(await p.locator('#co-level-public').isChecked());
        assert.equal(await p.locator('table.consent-history').count(), 0, 'nothing recorded');
      },
    });
  });

  test('record the consents: both boxes for the under-15, then withdraw the other', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.supervisor;
    problems.length = 0;
    // the under-15: both signatures (the form still holds the 422's values)
    let form = consentForm(page);
    await form.getByLabel('Tout le monde', { exact: true }).check();
    await form.getByLabel('Le parent ou tuteur a signé').check();
    await form.getByLabel(/Le ou la jeune a signé/).check();
    await form.getByLabel('Signé le').fill(daysAgo(3));
    let res = await submit(page, form, 'Enregistrer le consentement');
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, `${state.groupUrl}/participants`);
    // the older one: the group only, then a withdrawal
    await page.goto(server.url + state.olderConsent);
    form = consentForm(page);
    await form.getByLabel('Le groupe et sa coordination', { exact: true }).check();
    await form.getByLabel('Le parent ou tuteur a signé').check();
    await form.getByLabel('Signé le').fill(daysAgo(2));
    await form.getByLabel('Note').fill('Formulaire papier rendu à la première séance.');
    res = await submit(page, form, 'Enregistrer le consentement');
    assert.equal(res.status(), 200);
    await page.goto(server.url + state.olderConsent);
    const withdraw = page.locator('form.consent-withdraw');
    await withdraw.getByLabel('Motif du retrait (facultatif)').fill('Demande de la famille.');
    await withdraw.getByLabel(/Je confirme le retrait/).check();
    res = await submit(page, withdraw, 'Retirer le consentement');
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, `${state.groupUrl}/participants`);
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });

  test('participants page, with the consents', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'supervisor', 'group-participants', `${state.groupUrl}/participants`, {
      expect: async (page) => {
        const rows = page.locator('table.participants tbody tr');
        assert.equal(await rows.count(), 2);
        assert.equal(await rows.filter({ hasText: UNDER15 }).locator('[data-level]').getAttribute('data-level'), 'public');
        assert.equal(await rows.filter({ hasText: OLDER }).locator('[data-level]').getAttribute('data-level'), 'none');
      },
    }));

  test('consent form with its history (under-15)', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'supervisor', 'group-consent', state.under15Consent, {
      expect: async (page) => {
        assert.equal(await page.locator('table.consent-history tbody tr').count(), 1);
        assert.match(await page.locator('table.consent-history tbody').textContent(), /parent ou tuteur · jeune/);
        assert.equal(await page.locator('form.consent-withdraw').count(), 1, 'a consent in force can be withdrawn');
      },
    }));

  test('consent form with its history (withdrawn)', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'supervisor', 'group-consent-withdrawn', state.olderConsent, {
      expect: async (page) => {
        assert.equal(await page.locator('table.consent-history tbody tr').count(), 2);
        assert.match(await page.locator('table.consent-history tbody').textContent(), /Retrait/);
        assert.equal(await page.locator('form.consent-withdraw').count(), 0, 'nothing left to withdraw');
      },
    }));

  test('journal (through "Journal des modifications")', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.supervisor.page.goto(server.url + state.groupUrl);
    await checkPage(t, 'supervisor', 'group-journal', `${state.groupUrl}/journal`, {
      navigate: (page) => page.getByRole('link', { name: 'Journal des modifications', exact: true }).click(),
      expect: async (page) => {
        const text = await page.locator('table.audit tbody').textContent();
        assert.match(text, /Retrait de consentement/);
        assert.ok(text.includes(UNDER15) && text.includes(OLDER), 'both participants in the journal');
      },
    });
  });

  test('groups list', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'supervisor', 'group-list', '/groupes', {
      expect: async (page) => assert.equal(
        await page.locator('table.groups').getByRole('link', { name: TITLE, exact: true }).count(), 1),
    }));
});

describe('anonymous', () => {
  test('groups list', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'group-list-anonymous', '/groupes', {
      expect: async (page) => {
        assert.equal(await page.getByRole('link', { name: 'Nouveau groupe' }).count(), 0);
        assert.equal(await page.locator('table.groups').getByRole('link', { name: TITLE, exact: true }).count(), 1);
      },
    }));

  test('the public group page (through the list)', { timeout: PAGE_TIMEOUT }, async (t) => {
    await checkPage(t, 'anonymous', 'group-show-anonymous', state.groupUrl, {
      navigate: (page) => page.locator('table.groups').getByRole('link', { name: TITLE, exact: true }).click(),
      expect: async (page) => {
        assert.equal((await page.locator('h1').textContent()).trim(), TITLE);
        assert.equal(await page.getByRole('link', { name: 'Modifier', exact: true }).count(), 0);
        assert.equal(await page.getByRole('link', { name: 'Journal des modifications' }).count(), 0);
      },
    });
  });

  // Known gap (reported, not fixed here): the page lists every participant's name to
  // whoever may see the page (visibility_can_see_names follows the page only), whatever
  // each one's consent says. Sacha's consent was for the group, then withdrawn.
  test('the public group page hides a participant whose consent was withdrawn', {
    timeout: PAGE_TIMEOUT,
  }, async () => {
    const { page } = sessions.anonymous;
    await page.goto(server.url + state.groupUrl);
    const names = await page.locator('ul.group-participants li').allTextContents();
    assert.ok(!names.includes(OLDER), `anonymous sees ${OLDER} on ${state.groupUrl}: ${names.join(', ')}`);
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every group page above has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 12, `only ${collector.size} pages collected (some page tests failed early)`);
    const { errors } = await collector.validate();
    writeReport('browser-groups-vnu.json', errors);
    t.diagnostic(`vnu checked ${collector.size} pages: ${errors.length} error(s)`);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
