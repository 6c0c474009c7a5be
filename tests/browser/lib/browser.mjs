// Helpers for the browser suites: Debian's chromium driven by playwright-core, axe-core
// audits, the Nu HTML checker (vnu.jar) over the HTML as served, full-page screenshots,
// and a watch on the console (CSP violations, script errors).
//
// Environment: TEST_OUTPUT (default test-output): screenshots go to
// $TEST_OUTPUT/screenshots/<name>.png, reports to $TEST_OUTPUT/browser-*.json.
// CHROMIUM (default /usr/bin/chromium), JAVA (default java).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TEST_OUTPUT = path.resolve(process.env.TEST_OUTPUT || 'test-output');
export const SCREENSHOT_DIR = path.join(TEST_OUTPUT, 'screenshots');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** One headless chromium (playwright gives each launch a fresh temporary profile). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A new browser context: French, a desktop viewport, no animations. Options are passed to
 * browser.newContext (e.g. javaScriptEnabled: false).
 */
export function newContext(browser, opts = {}) {
  return browser.newContext({
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
    ...opts,
  });
}

/**
 * Logs in through the login form, as a person would: opens /connexion, types the
 * identifier and the password, clicks the button. Resolves once the browser has left
 * /connexion; throws with the page's message otherwise.
 */
export async function loginThroughForm(page, baseUrl, { login, password }) {
  await page.goto(`${baseUrl}/connexion`);
  const form = page.locator('main form');
  await form.getByLabel('Identifiant').fill(login);
  await form.getByLabel('Mot de passe').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/connexion'), { timeout: 15_000 }).catch(() => {}),
    form.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  if (new URL(page.url()).pathname.startsWith('/connexion')) {
    const msg = await page.locator('.form-error').allTextContents();
    throw new Error(`login as ${login} failed: ${msg.join(' ') || '(no message)'}`);
  }
}

/**
 * Clicks locator (a link or a button) and waits for the page it leads to (redirects
 * included: the wait starts before the click, so it cannot miss a fast navigation).
 * Resolves the main document's response.
 */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return response;
}

// ---- console -------------------------------------------------------------------------

/**
 * Records what goes wrong in the page: console errors and warnings (CSP violations are
 * reported there), uncaught exceptions, failed requests. Answers of an HTTP error status
 * ("Failed to load resource: … status of 404") are left out: the tests check statuses.
 * Returns the live array of {type, text, url}.
 */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const text = msg.text();
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
    problems.push({ type: `console.${msg.type()}`, text, url: page.url() });
  });
  page.on('pageerror', (err) => problems.push({ type: 'pageerror', text: String(err), url: page.url() }));
  page.on('requestfailed', (req) => {
    const f = req.failure();
    // a navigation that replaces the page aborts what the old page still loads
    if (f && /ERR_ABORTED/.test(f.errorText)) return;
    problems.push({ type: 'requestfailed', text: `${req.url()}: ${f ? f.errorText : '?'}`, url: page.url() });
  });
  return problems;
}

export function formatProblems(problems) {
  return problems.map((p) => `  [${p.type}] on ${p.url}: ${p.text}`).join('\n');
}

// ---- screenshots ---------------------------------------------------------------------

/** Saves a full-page screenshot as $TEST_OUTPUT/screenshots/<name>.png; resolves the path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

// ---- axe-core ------------------------------------------------------------------------

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
export const AXE_FAILING_IMPACTS = new Set(['serious', 'critical']);

let axeSource = null;
function getAxeSource() {
  if (!axeSource) axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core on the page as it stands. axe-core is injected through the DevTools
 * protocol (page.evaluate), which the page's Content-Security-Policy does not govern:
 * page.addScriptTag would be an inline script, refused by the site's CSP (and reported in
 * the console). So the audit works in contexts with or without bypassCSP. Resolves
 * {failing, others}: the violations of impact serious or critical, and the rest, each
 * {id, impact, help, helpUrl, nodes: [{target, html, summary}]}.
 */
export async function runAxe(page) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(getAxeSource());
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)),
        html: n.html,
        summary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
  return {
    failing: result.filter((v) => AXE_FAILING_IMPACTS.has(v.impact)),
    others: result.filter((v) => !AXE_FAILING_IMPACTS.has(v.impact)),
  };
}

/** Human-readable lines for a list of axe violations (rule, impact, help, each element). */
export function formatAxe(violations, label = '') {
  const lines = [];
  for (const v of violations) {
    lines.push(`${label ? `${label}: ` : ''}[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) {
      lines.push(`    at ${n.target.join(', ')}`);
      lines.push(`       ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      if (n.summary) lines.push(`       ${n.summary.replace(/\s*\n\s*/g, ' | ').slice(0, 400)}`);
    }
  }
  return lines.join('\n');
}

// ---- the Nu HTML checker -------------------------------------------------------------

export const VNU_JAR = String(require('vnu-jar'));

/**
 * Keeps the HTML of the visited pages, as the server sent it, for one Nu checker run at
 * the end. add() fetches the URL again with the context's cookies (context.request shares
 * them); addSource() takes a body already in hand (e.g. the answer to a POST).
 */
export class HtmlCollector {
  constructor(prefix = 'lanterne-vnu-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.pages = new Map(); // file -> {name, url, status}
  }

  /** GETs url with context's cookies and saves the body as <name>.html; resolves {status, body}. */
  async add(context, url, name, { expectStatus } = {}) {
    const res = await context.request.get(url, { maxRedirects: 0, failOnStatusCode: false });
    const body = await res.text();
    const status = res.status();
    if (expectStatus !== undefined && status !== expectStatus) {
      throw new Error(`served HTML of ${url}: status ${status}, expected ${expectStatus}`);
    }
    const ctype = res.headers()['content-type'] || '';
    if (!/^text\/html/i.test(ctype)) {
      throw new Error(`served HTML of ${url}: Content-Type ${ctype || '(none)'}, expected text/html`);
    }
    this.addSource(name, url, body, status);
    return { status, body };
  }

  addSource(name, url, body, status = 200) {
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
    if ([...this.pages.values()].some((p) => p.name === safe)) throw new Error(`page name ${safe} used twice`);
    const file = path.join(this.dir, `${safe}.html`);
    fs.writeFileSync(file, body);
    this.pages.set(file, { name: safe, url, status });
  }

  get size() {
    return this.pages.size;
  }

  /**
   * Runs vnu once over every saved page (--format json --errors-only). Resolves
   * {errors: [{name, url, line, column, message, extract}], raw}. Throws when vnu does
   * not run or its output is not the expected JSON.
   */
  async validate({ timeout = 120_000 } = {}) {
    const files = [...this.pages.keys()];
    if (!files.length) return { errors: [], raw: '' };
    const { code, stdout, stderr } = await runJava(
      ['-Xss1024k', '-jar', VNU_JAR, '--format', 'json', '--errors-only', ...files],
      timeout,
    );
    // vnu writes its JSON report on stderr; exit status 1 means "errors found"
    const text = stderr.trim() || stdout.trim();
    let report;
    try {
      report = JSON.parse(text);
    } catch {
      throw new Error(`vnu (exit ${code}) did not answer JSON:\n${text.slice(0, 2000)}`);
    }
    const byUrl = new Map(files.map((f) => [`file:${f}`, this.pages.get(f)]));
    const errors = [];
    for (const m of report.messages || []) {
      if (m.type === 'info') continue;
      const fileUrl = m.url ? decodeURIComponent(m.url).replace(/^file:\/\//, 'file:') : '';
      const page = byUrl.get(fileUrl) || { name: fileUrl || '?', url: '?' };
      errors.push({
        name: page.name,
        url: page.url,
        line: m.lastLine ?? m.firstLine,
        column: m.firstColumn ?? m.lastColumn,
        type: m.subType ? `${m.type}/${m.subType}` : m.type,
        message: m.message,
        extract: m.extract,
      });
    }
    if (code !== 0 && errors.length === 0) {
      throw new Error(`vnu exited with ${code} without reporting errors:\n${text.slice(0, 2000)}`);
    }
    return { errors, raw: text };
  }

  /** The saved copies go away with the collector (keep = true leaves them for a look). */
  cleanup({ keep = false } = {}) {
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function formatVnu(errors) {
  return errors
    .map((e) => `  ${e.name} (${e.url}) line ${e.line}, column ${e.column}: ${e.message}` +
      (e.extract ? `\n      ${e.extract.replace(/\s+/g, ' ').trim().slice(0, 200)}` : ''))
    .join('\n');
}

function runJava(args, timeout) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.JAVA || 'java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vnu: no answer within ${timeout} ms`));
    }, timeout);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

// ---- reports -------------------------------------------------------------------------

/** Writes $TEST_OUTPUT/<name> (JSON) for the lead: every finding, failing or not. */
export function writeReport(name, data) {
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  const file = path.join(TEST_OUTPUT, name);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
