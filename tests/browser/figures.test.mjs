// The figures pages and the yearly report in Chromium, on the demo's years of actions: the
// national figures page (charts, map and their tables), a coordination's figures page seen by
// its coordinator (budget section), the year chosen through the form without JavaScript, and
// the report printed: with print media the navigation and the footer disappear, the sections
// start on new pages, and page.pdf() writes a PDF of several pages into the test output.
// Every page passes axe (no serious or critical violation), logs nothing to the console, and
// its served HTML (and the file `lanterne report` writes) passes the Nu checker. Screenshots
// go to $TEST_OUTPUT/screenshots/figures-*.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DEMO, runCli, startServer } from '../http/lib/server.mjs';
import {
  HtmlCollector,
  TEST_OUTPUT,
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

const PAGE_TIMEOUT = 180_000;
const YEAR = new Date().getUTCFullYear();

let server;
let browser;
let collector;
const sessions = {};
const axeFindings = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  collector = new HtmlCollector('lanterne-vnu-figures-');
  for (const role of ['anonymous', 'coordinator']) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchConsole(page);
    sessions[role] = { context, page, problems };
    if (DEMO[role]) await loginThroughForm(page, server.url, DEMO[role]);
  }
});

after(async () => {
  writeReport('browser-figures-axe.json', axeFindings);
  if (collector) collector.cleanup({ keep: process.env.LANTERNE_KEEP_HTML === '1' });
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function audit(role, name, { print = false } = {}) {
  const { context, page, problems } = sessions[role];
  await collector.add(context, page.url(), name, { expectStatus: 200 });
  const { failing, others } = await runAxe(page);
  for (const v of [...failing, ...others]) axeFindings.push({ page: name, role, url: page.url(), print, ...v });
  assert.equal(failing.length, 0, `axe on ${name} (${page.url()}) as ${role}:\n${formatAxe(failing, name)}`);
  assert.equal(problems.length, 0, `console on ${name}:\n${formatProblems(problems)}`);
}

async function open(role, target) {
  const { page, problems } = sessions[role];
  problems.length = 0;
  const response = await page.goto(server.url + target);
  assert.ok(response, `no response for ${target}`);
  assert.equal(response.status(), 200, `status of ${target}`);
  assert.equal(await page.locator('h1').count(), 1, `${target}: one h1`);
  return page;
}

describe('figures pages', () => {
  test('the national figures page: key figures, three charts, the map, a table behind each', { timeout: PAGE_TIMEOUT }, async () => {
    const page = await open('anonymous', '/chiffres');
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Chiffres' }).waitFor();
    const actions = await page.locator('[data-key="actions"]').textContent();
    assert.match(actions, /^\d{1,3}(\u202f\d{3})*$/, `the number of actions, French style: ${actions}`);
    assert.ok(Number(actions.replace(/\u202f/g, '')) > 0, 'the demo year has actions');
    for (const id of ['chart-types', 'chart-months', 'chart-coordinations']) {
      const box = await page.locator(`svg#${id}, svg[aria-labelledby^="${id}-title"]`).first().boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, `${id} is drawn (${JSON.stringify(box)})`);
    }
    const map = await page.locator('.figures-map svg.svgmap').first().boundingBox();
    assert.ok(map && map.width > 300, 'the map is drawn');
    assert.ok((await page.locator('.figures-map path[class^="lvl-"]:not(.lvl-0)').count()) > 20, 'départements shaded');
    assert.equal(await page.locator('details.figures-data').count(), 4);
    assert.equal(await page.locator('[data-key^="budget_"]').count(), 0, 'no budget for visitors');
    await page.locator('details.figures-data summary').first().click();
    assert.ok(await page.locator('#table-types').isVisible(), 'the table opens');
    await screenshot(page, 'figures-nation');
    await audit('anonymous', 'figures-nation');
  });

  test('a coordination’s figures page seen by its coordinator shows the budget', { timeout: PAGE_TIMEOUT }, async () => {
    const page = await open('coordinator', '/coordinations/hors-cadre/chiffres');
    assert.ok(await page.locator('#h-budget').isVisible());
    assert.match(await page.locator('[data-key="budget_granted"]').textContent(), /€$/);
    await screenshot(page, 'figures-hors-cadre-coordinator');
    await audit('coordinator', 'figures-hors-cadre-coordinator');
  });

  test('the year is chosen with the form, without JavaScript', { timeout: PAGE_TIMEOUT }, async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/chiffres`);
      await page.getByLabel('Année').selectOption(String(YEAR - 1));
      await Promise.all([page.waitForURL(/annee=/), page.getByRole('button', { name: 'Afficher' }).click()]);
      assert.equal(new URL(page.url()).searchParams.get('annee'), String(YEAR - 1));
      assert.match(await page.locator('h1').textContent(), new RegExp(String(YEAR - 1)));
    } finally {
      await context.close();
    }
  });
});

describe('the yearly report', () => {
  test('the national report on screen and printed: no navigation, page breaks, a PDF', { timeout: PAGE_TIMEOUT }, async () => {
    const page = await open('anonymous', `/bilan/${YEAR}`);
    assert.ok(await page.locator('.print-button').isVisible(), 'print.js shows the print button');
    assert.ok((await page.locator('.report-action').count()) > 100, 'every action of the year is listed');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false, 'no header in print');
    assert.equal(await page.locator('.site-footer').isVisible(), false, 'no footer in print');
    const breaks = await page.evaluate(() => [...document.querySelectorAll('.report > .figures-section')]
      .map((s) => getComputedStyle(s).breakBefore));
    assert.ok(breaks.filter((b) => b === 'page').length >= 3, `sections start on a new page: ${breaks}`);
    assert.equal(await page.locator('#table-types').isVisible(), true, 'the tables are shown in print');
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'screenshots', 'figures-report-print.png') });
    const pdfFile = path.join(TEST_OUTPUT, `figures-report-${YEAR}.pdf`);
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true });
    const pdf = fs.readFileSync(pdfFile, 'latin1');
    assert.ok(pdf.startsWith('%PDF-'), 'a PDF');
    const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.ok(pages >= 5, `the PDF has several pages (${pages})`);
    await page.emulateMedia({ media: 'screen' });
  });

  test('a coordination’s report passes axe, on screen and in print', { timeout: PAGE_TIMEOUT }, async () => {
    const page = await open('anonymous', `/coordinations/hors-cadre/bilan/${YEAR}`);
    await screenshot(page, 'figures-report-hors-cadre');
    await audit('anonymous', 'figures-report-hors-cadre');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'figures-report-hors-cadre-print');
    const { failing } = await runAxe(page);
    assert.equal(failing.length, 0, `axe in print:\n${formatAxe(failing, 'report print')}`);
    await page.emulateMedia({ media: 'screen' });
  });

  test('the file written by lanterne report opens and passes axe', { timeout: PAGE_TIMEOUT }, async () => {
    const file = path.join(TEST_OUTPUT, `figures-report-hors-cadre-${YEAR}.html`);
    const cli = await runCli(['report', '--year', String(YEAR), '--coordination', 'hors-cadre', '--output', file],
      { dataDir: server.dataDir });
    assert.equal(cli.code, 0, cli.stderr);
    const html = fs.readFileSync(file, 'utf8');
    collector.addSource('figures-report-cli', `file://${file}`, html);
    const { page } = sessions.anonymous;
    await page.goto(`file://${file}`);
    assert.ok(await page.locator('.figures-map svg.svgmap').first().isVisible());
    await screenshot(page, 'figures-report-cli');
    const { failing } = await runAxe(page);
    assert.equal(failing.length, 0, `axe on the report file:\n${formatAxe(failing, 'report file')}`);
  });
});

describe('Nu HTML checker', () => {
  test('the served HTML of the pages above has no error', { timeout: 240_000 }, async () => {
    assert.ok(collector.size >= 4, `only ${collector.size} pages collected`);
    const { errors } = await collector.validate();
    writeReport('browser-figures-vnu.json', errors);
    assert.equal(errors.length, 0, `Nu checker errors:\n${formatVnu(errors)}`);
  });
});
