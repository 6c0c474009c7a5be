// Photos of a logbook entry in a real browser, against issue 4's "Done when": the demo
// supervisor uploads photos through the editors' page with the file picker (with JavaScript:
// one XHR per photo to the API and a progress bar; without JavaScript: the multipart form),
// writes their alt text and tags the participants; then the entry page shows one photo to an
// anonymous visitor, two to a member of another group (the demo participant), three to the
// supervisor, every picture actually loading (signed URLs included). The photo page is
// walked with the keyboard (previous / next links). axe-core (no serious or critical
// violation), the console (no CSP or script error), a full-page screenshot
// ($TEST_OUTPUT/screenshots/photo-*.png) and the Nu checker (no error) on the entry page, the
// photo page and the editors' page.
//
// The group, its three participants and their consents (public, network, none) and the entry
// are made through the HTTP client first (tests/browser/groups.test.mjs covers those forms).
// One server and one chromium for the file; the tests run in order.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO, clientAs, startServer } from '../http/lib/server.mjs';
import { makeJpeg, makePdf } from '../http/lib/images.mjs';
import { createEntry, createGroup } from '../http/lib/photos.mjs';
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
const ENTRY = 'Journée de tournage au jardin';
const PEOPLE = [
  { name: 'Inès', band: '15-17', level: 'public', alt: 'Inès tient la perche devant les massifs' },
  { name: 'Jules', band: '12-14', level: 'network', alt: 'Jules cadre la fontaine' },
  { name: 'Katia', band: '18-25', level: 'none', alt: 'Katia écrit sur le clap' },
];

let server;
let browser;
let collector;
const sessions = {}; // name -> {context, page, problems}
const axeFindings = [];
const state = {};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-photos-');
  const sup = await clientAs(server, 'supervisor');
  const g = await createGroup(sup, {
    title: 'Atelier photo du jardin',
    visibility: 'public',
    participants: PEOPLE.map(({ name, band, level }) => ({ name, band, level })),
  });
  state.slug = g.slug;
  state.entry = await createEntry(sup, g.slug, { title: ENTRY, body: 'Nous avons filmé le **jardin** partagé.' });
  state.entryUrl = `/groupes/${g.slug}/carnet/${state.entry}`;
  state.manageUrl = `${state.entryUrl}/photos`;
  const open = async (name, account, opts = {}) => {
    const context = await newContext(browser, opts);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[name] = { context, page, problems, js: opts.javaScriptEnabled !== false };
    if (account) await loginThroughForm(page, server.url, account);
  };
  await open('supervisor', DEMO.supervisor);
  await open('supervisor-nojs', DEMO.supervisor, { javaScriptEnabled: false });
  await open('anonymous', null);
  await open('member', DEMO.participant);
});

after(async () => {
  writeReport('browser-photos-axe.json', axeFindings);
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/**
 * Checks the page as `who`: goto target, or navigate(page) then land on target. Status, one
 * h1, expect(page), the served HTML kept for the Nu checker (or, with fromResponse, the body
 * of the navigation's answer), a screenshot, axe, the console.
 */
async function checkPage(t, who, name, target, { status = 200, navigate, expect, fromResponse = false } = {}) {
  const { context, page, problems } = sessions[who];
  problems.length = 0;
  let response;
  if (navigate) {
    [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), navigate(page)]);
    const u = new URL(page.url());
    assert.equal(u.pathname + u.search, target, `${name}: landed on ${page.url()}`);
  } else {
    response = await page.goto(server.url + target);
  }
  assert.ok(response, `${name}: no response`);
  assert.equal(response.status(), status, `${name}: status of ${page.url()}`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  if (expect) await expect(page);
  if (fromResponse) collector.addSource(name, page.url(), await response.text(), status);
  else await collector.add(context, page.url(), name, { expectStatus: status });
  await screenshot(page, name);
  // page.evaluate does not run in a context without JavaScript: axe runs in the others
  if (!sessions[who].js) return;
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, who, url: page.url(), ...v });
  for (const v of others) t.diagnostic(`axe ${name}, not failing: [${v.impact}] ${v.id}`);
  assert.equal(failing.length, 0, `axe on ${name} as ${who}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

/** Waits until every picture of the gallery has loaded (lazy ones scrolled to). */
async function galleryLoaded(page) {
  const imgs = page.locator('ul.gallery img');
  const n = await imgs.count();
  for (let i = 0; i < n; i++) {
    const img = imgs.nth(i);
    await img.scrollIntoViewIfNeeded();
    await img.evaluate((el) => (el.complete ? null : new Promise((r) => { el.addEventListener('load', r); el.addEventListener('error', r); })));
    const w = await img.evaluate((el) => el.naturalWidth);
    assert.ok(w > 0, `gallery picture ${i + 1} loaded (${await img.getAttribute('src')})`);
    const used = await img.evaluate((el) => el.currentSrc);
    assert.match(used, /\.webp(\?|$)/, `the WebP source is used: ${used}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  return n;
}

/** Photo files for the file picker. */
function files(...seeds) {
  return seeds.map((n) => ({ name: `jardin-${n}.jpg`, mimeType: 'image/jpeg', buffer: makeJpeg(1280, 960, 100 + n) }));
}

/** Presses Tab until the focused element's text contains text; throws after max presses. */
async function tabTo(page, text, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? { tag: el.tagName, text: el.textContent.trim() } : null;
    });
    if (focused && focused.text.includes(text)) return focused;
  }
  throw new Error(`no focusable element with "${text}" within ${max} Tab presses`);
}

describe('editors\' page', () => {
  test('reached through "Ajouter ou gérer les photos", empty', { timeout: PAGE_TIMEOUT }, async (t) => {
    await sessions.supervisor.page.goto(server.url + state.entryUrl);
    await checkPage(t, 'supervisor', 'photo-manage-empty', state.manageUrl, {
      navigate: (page) => page.getByRole('link', { name: 'Ajouter ou gérer les photos' }).click(),
      expect: async (page) => {
        assert.equal(await page.locator('ul.photo-edit-list li').count(), 0);
        assert.equal(await page.locator('form[data-upload] input[type="file"][multiple]').count(), 1);
        assert.ok(await page.locator('.upload-progress').isHidden(), 'no progress bar before an upload');
      },
    });
  });

  test('with JavaScript: two photos through the file picker, one request each, a progress bar', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.supervisor;
    problems.length = 0;
    const uploads = [];
    const formPosts = [];
    // hold each upload a moment, so the progress bar can be seen while it runs
    await page.route(`**/api/v1/entries/${state.entry}/photos`, async (route) => {
      uploads.push(route.request().method());
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === state.manageUrl) formPosts.push(req.url());
    });
    await page.locator('#photo').setInputFiles(files(1, 2));
    await page.locator('#alt').fill('Le jardin partagé');
    const reloaded = page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 });
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    const box = page.locator('.upload-progress');
    await box.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await box.locator('progress').count(), 1);
    await page.locator('.upload-status').filter({ hasText: /Envoi de la photo [12] sur 2/ }).waitFor({ timeout: 5000 });
    await reloaded;
    await page.unroute(`**/api/v1/entries/${state.entry}/photos`);
    assert.deepEqual(uploads, ['POST', 'POST'], 'one API request per photo');
    assert.deepEqual(formPosts, [], 'the form itself was not posted');
    assert.equal(new URL(page.url()).pathname, state.manageUrl, 'the page reloads itself');
    assert.equal(await page.locator('ul.photo-edit-list li').count(), 2);
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });

  test('with JavaScript: a file that is no photo is listed with its French message', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions.supervisor;
    problems.length = 0;
    await page.locator('#photo').setInputFiles([{ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: makePdf() }]);
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    const alert = page.locator('.upload-progress [role="alert"]');
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.textContent(), /notes\.jpg : Ce fichier n.est pas une photo JPEG, PNG, WebP ou HEIC\./);
    assert.match(await page.locator('.upload-status').textContent(), /0 photo\(s\) sur 1/);
    await page.reload();
    assert.equal(await page.locator('ul.photo-edit-list li').count(), 2, 'nothing added');
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });

  test('the form posted as is (the site script left out): 422 page with the message', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    // an empty site script: the form posts itself as without JavaScript, and axe still runs
    const emptyScript = (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' });
    await page.route('**/static/js/**', emptyScript);
    try {
      await page.goto(server.url + state.manageUrl);
      await page.locator('#photo').setInputFiles([{ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: makePdf() }]);
      await checkPage(t, 'supervisor', 'photo-manage-422', state.manageUrl, {
        status: 422,
        fromResponse: true,
        navigate: (p) => p.getByRole('button', { name: 'Envoyer', exact: true }).click(),
        expect: async (p) => {
          assert.match(await p.locator('#upload-error').textContent(), /notes\.jpg : Ce fichier n.est pas une photo/);
          assert.equal(await p.locator('#upload-error').getAttribute('role'), 'alert');
          assert.equal(await p.locator('ul.photo-edit-list li').count(), 2);
        },
      });
    } finally {
      await page.unroute('**/static/js/**', emptyScript);
    }
  });

  test('without JavaScript: a bad file comes back 422 with its message', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions['supervisor-nojs'];
    await page.goto(server.url + state.manageUrl);
    await page.locator('#photo').setInputFiles([{ name: 'vide.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }]);
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
    ]);
    assert.equal(response.status(), 422);
    assert.match(await page.locator('#upload-error').textContent(), /vide\.jpg : Le fichier est vide\./);
    assert.equal(await page.locator('ul.photo-edit-list li').count(), 2);
    await screenshot(page, 'photo-manage-422-nojs');
  });

  test('without JavaScript: the third photo through the multipart form', { timeout: PAGE_TIMEOUT }, async () => {
    const { page, problems } = sessions['supervisor-nojs'];
    problems.length = 0;
    await page.goto(server.url + state.manageUrl);
    await page.locator('#photo').setInputFiles(files(3));
    await page.locator('#alt').fill('Le jardin, troisième photo');
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
    ]);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, state.manageUrl);
    assert.match(await page.locator('.flash').textContent(), /Photo ajoutée/);
    assert.equal(await page.locator('ul.photo-edit-list li').count(), 3);
    assert.equal(problems.length, 0, `console:\n${formatProblems(problems)}`);
  });

  test('alt text and one participant tagged on each photo', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    await page.goto(server.url + state.manageUrl);
    const ids = await page.locator('ul.photo-edit-list > li').evaluateAll((els) => els.map((el) => el.id.replace('photo-', '')));
    assert.equal(ids.length, 3);
    state.photos = {};
    for (let i = 0; i < 3; i++) {
      const person = PEOPLE[i];
      const form = page.locator(`#photo-${ids[i]} form.photo-edit`);
      await form.getByLabel('Texte alternatif').fill(person.alt);
      await form.getByRole('checkbox', { name: new RegExp(`^${person.name} `) }).check();
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        form.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
      ]);
      assert.equal(response.status(), 200);
      assert.match(await page.locator('.flash').textContent(), /Photo enregistrée/);
      state.photos[person.level] = ids[i];
    }
    await checkPage(t, 'supervisor', 'photo-manage', state.manageUrl, {
      expect: async (p) => {
        for (let i = 0; i < 3; i++) {
          const li = p.locator(`#photo-${ids[i]}`);
          assert.equal(await li.getByLabel('Texte alternatif').inputValue(), PEOPLE[i].alt);
          assert.ok(await li.getByRole('checkbox', { name: new RegExp(`^${PEOPLE[i].name} `) }).isChecked());
          assert.equal(await li.locator('input[type="checkbox"]:checked').count(), 1);
        }
      },
    });
  });
});

describe('the entry page: one photo, two, three', () => {
  const cases = [
    ['anonymous', 'photo-entry-anonymous', ['public']],
    ['member', 'photo-entry-member', ['public', 'network']],
    ['supervisor', 'photo-entry-supervisor', ['public', 'network', 'none']],
  ];
  for (const [who, name, levels] of cases) {
    test(`${who} sees ${levels.length}`, { timeout: PAGE_TIMEOUT }, (t) =>
      checkPage(t, who, name, state.entryUrl, {
        expect: async (page) => {
          const alts = await page.locator('ul.gallery img').evaluateAll((els) => els.map((el) => el.alt));
          const want = PEOPLE.filter((p) => levels.includes(p.level)).map((p) => p.alt);
          assert.deepEqual(alts.sort(), want.sort());
          assert.equal(await page.locator('ul.gallery picture source[type="image/webp"]').count(), levels.length);
          assert.equal(await galleryLoaded(page), levels.length);
          const hidden = PEOPLE.filter((p) => !levels.includes(p.level));
          const html = await page.content();
          for (const p of hidden) {
            assert.ok(!html.includes(`/media/photos/${state.photos[p.level]}/`), `${who}: no URL of ${p.name}'s photo`);
          }
        },
      }));
  }
});

describe('the photo page', () => {
  test('keyboard: from the first photo, Tab to "Photo suivante", Enter, then back', { timeout: PAGE_TIMEOUT }, async (t) => {
    const { page } = sessions.supervisor;
    await page.goto(server.url + state.entryUrl);
    const first = page.locator('ul.gallery a').first();
    const firstUrl = await first.getAttribute('href');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), first.focus().then(() => page.keyboard.press('Enter'))]);
    assert.equal(new URL(page.url()).pathname, firstUrl);
    assert.match(await page.locator('h1').textContent(), /Photo 1\/3/);
    assert.equal(await page.getByRole('link', { name: /Photo précédente/ }).count(), 0, 'no previous photo on the first');
    await tabTo(page, 'Photo suivante');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').textContent(), /Photo 2\/3/);
    const second = new URL(page.url()).pathname;
    await checkPage(t, 'supervisor', 'photo-show-supervisor', second, {
      expect: async (p) => {
        const prev = p.locator('a[rel="prev"]');
        const next = p.locator('a[rel="next"]');
        assert.equal(await prev.count(), 1);
        assert.equal(await next.count(), 1);
        const img = p.locator('figure.photo-large img');
        await img.evaluate((el) => (el.complete ? null : new Promise((r) => { el.addEventListener('load', r); el.addEventListener('error', r); })));
        assert.ok((await img.evaluate((el) => el.naturalWidth)) > 0, 'the picture loads');
        assert.ok((await img.getAttribute('alt')).length > 0);
      },
    });
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await tabTo(page, 'Photo précédente');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, firstUrl);
  });

  test('anonymous: the one public photo, alone', { timeout: PAGE_TIMEOUT }, (t) =>
    checkPage(t, 'anonymous', 'photo-show-anonymous', `${state.entryUrl}/photos/${state.photos.public}`, {
      expect: async (page) => {
        assert.match(await page.locator('h1').textContent(), /Photo 1\/1/);
        assert.equal(await page.locator('a[rel="prev"], a[rel="next"]').count(), 0);
        assert.equal(await page.locator('figure.photo-large img').getAttribute('alt'), PEOPLE[0].alt);
        assert.equal(await page.getByRole('link', { name: 'Gérer les photos de l\'entrée' }).count(), 0);
      },
    }));

  test('anonymous: the other two answer 404', { timeout: PAGE_TIMEOUT }, async () => {
    const { page } = sessions.anonymous;
    for (const level of ['network', 'none']) {
      const res = await page.goto(`${server.url}${state.entryUrl}/photos/${state.photos[level]}`);
      assert.equal(res.status(), 404, level);
    }
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of every photo page above has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 8, `only ${collector.size} pages collected (some page tests failed early)`);
    const { errors } = await collector.validate();
    writeReport('browser-photos-vnu.json', errors);
    t.diagnostic(`vnu checked ${collector.size} pages: ${errors.length} error(s)`);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
