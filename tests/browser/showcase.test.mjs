// The search and the showcase in a real browser: the header's search box (with and without
// JavaScript) leads to the results, a query too short comes back 422 with its message next to
// the field, the home page's newest entries link to their entries. axe-core on each page,
// the served HTML through the Nu checker, nothing in the console.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../http/lib/server.mjs';
import {
  HtmlCollector,
  formatAxe,
  formatProblems,
  formatVnu,
  launchBrowser,
  newContext,
  runAxe,
  screenshot,
  watchConsole,
} from './lib/browser.mjs';

const PAGE_TIMEOUT = 60_000;

let server;
let browser;
let collector;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-showcase-');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
});

/** axe, the served HTML kept for the Nu checker, a screenshot, a quiet console. */
async function checkPage(context, page, problems, name, status = 200) {
  await collector.add(context, page.url(), name, { expectStatus: status });
  await screenshot(page, name);
  const { failing } = await runAxe(page);
  assert.equal(failing.length, 0, `axe on ${name}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';
  describe(`search ${mode}`, () => {
    let context;
    let page;
    let problems;
    before(async () => {
      context = await newContext(browser, { javaScriptEnabled });
      page = await context.newPage();
      problems = watchConsole(page);
    });
    after(async () => {
      if (context) await context.close();
    });

    test('the header search box finds a public group and its entries', { timeout: PAGE_TIMEOUT }, async () => {
      await page.goto(`${server.url}/`);
      const box = page.getByRole('search', { name: 'Recherche sur le site' });
      await box.getByLabel('Rechercher un groupe ou une entrée de carnet').fill('QUARTIER');
      await Promise.all([page.waitForNavigation(), box.getByRole('button', { name: 'Rechercher' }).click()]);
      assert.equal(new URL(page.url()).pathname, '/recherche');
      const results = page.locator('li.search-result');
      assert.ok((await results.count()) >= 1);
      assert.equal(await results.first().locator('h3').textContent(), 'Lumières du quartier (démo)');
      assert.ok((await page.locator('li.search-result mark').count()) >= 1, 'the matched words are marked');
      if (javaScriptEnabled) await checkPage(context, page, problems, 'search-results');
    });

    test('one character: 422, the message next to the field', { timeout: PAGE_TIMEOUT }, async () => {
      const res = await page.goto(`${server.url}/recherche?q=x`);
      assert.equal(res.status(), 422);
      const field = page.locator('#search-q');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('#search-q-error').textContent(), /au moins 2 caractères/);
      if (javaScriptEnabled) await checkPage(context, page, problems, 'search-422', 422);
    });

    test('nothing found: the empty state', { timeout: PAGE_TIMEOUT }, async () => {
      await page.goto(`${server.url}/recherche?q=${encodeURIComponent('zzz introuvable')}`);
      assert.match(await page.locator('p.empty').textContent(), /Aucun résultat pour « zzz introuvable »/);
      if (javaScriptEnabled) await checkPage(context, page, problems, 'search-empty');
    });

    test('the home page\'s newest entries lead to their entries', { timeout: PAGE_TIMEOUT }, async () => {
      await page.goto(`${server.url}/`);
      const news = page.locator('section[aria-labelledby="h-news"] li.news-item');
      assert.ok((await news.count()) >= 1);
      const link = news.first().locator('h3 a');
      const title = await link.textContent();
      await Promise.all([page.waitForNavigation(), link.click()]);
      assert.match(new URL(page.url()).pathname, /^\/groupes\/[^/]+\/carnet\/\d+$/);
      assert.equal(await page.locator('h1').textContent(), title);
    });
  });
}

describe('Nu HTML checker', () => {
  test('the served HTML of every page above has no error', { timeout: 180_000 }, async (t) => {
    assert.ok(collector.size >= 3, `only ${collector.size} pages collected (some page tests failed early)`);
    const { errors } = await collector.validate();
    t.diagnostic(`vnu checked ${collector.size} pages: ${errors.length} error(s)`);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
