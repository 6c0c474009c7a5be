// The year in figures and the yearly report (issue 6, points 4 and 5): /chiffres and
// /coordinations/{slug}/chiffres, /bilan/{year} and /coordinations/{slug}/bilan/{year}, GET
// /api/v1/figures (checked against static/openapi.json) and `lanterne report` (json, csv,
// html). Actions are created through the API by the demo coordinator (hors-cadre) and the
// admin (acap), in 2018 and 2019, years the demo does not reach, so every number is known;
// then the page, the API and the command line must agree on each one. Budgets reach admins
// and the coordination's own coordinators only (the command line, an operator's tool, shows
// them).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, login, runCli, startServer } from './lib/server.mjs';

const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));
const FOREIGN = { login: 'coord-acap-chiffres', password: 'coord-acap-mot-de-passe' };
const NNBSP = '\u202f';
const YEAR = 2019;

let server;
const who = {};

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', FOREIGN.login, '--name', 'Coordination Acap (chiffres)', '--role', 'coordinator',
          '--coordination', 'acap-pole-regional-image', '--password', FOREIGN.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${FOREIGN.login}: ${add.stderr}`);
    },
  });
  for (const role of ['anonymous', 'coordinator', 'admin']) who[role] = await clientAs(server, role);
  who.foreign = new Client(server.url);
  await login(who.foreign, FOREIGN.login, FOREIGN.password);
  await who.foreign.csrf('/');
});

after(async () => {
  if (!server) return;
  const end = await server.stop();
  assert.ok(!/Sanitizer|runtime error/.test(server.logs()), server.logs().slice(-3000));
  assert.equal(end.code, 0, `the server exited with ${end.code ?? end.signal}`);
});

// ---- the document's schemas (the subset of JSON Schema it uses) --------------------------

function resolve(ref) {
  let node = doc;
  for (const k of ref.slice(2).split('/')) node = node?.[k.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function validate(schema, value, where = '$') {
  const errors = [];
  if (!schema || schema === true) return errors;
  if (schema.$ref) return validate(resolve(schema.$ref), value, where);
  if (schema.anyOf && !schema.anyOf.some((x) => validate(x, value, where).length === 0)) {
    return [`${where}: matches none of anyOf`];
  }
  if (schema.type !== undefined) {
    const types = [].concat(schema.type);
    const t = typeOf(value);
    if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) return [`${where}: ${t}, expected ${types}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: > ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems}`);
    if (schema.items) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${where}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    for (const k of schema.required || []) if (!(k in value)) errors.push(`${where}: missing ${k}`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...validate(props[k], v, `${where}.${k}`));
      else if (schema.properties && !schema.additionalProperties) errors.push(`${where}: undocumented member ${k}`);
    }
  }
  return errors;
}

/** Asserts the status, that the document gives it for GET /api/v1/figures, and that the
 * body conforms; returns the body. */
function expectFigures(res, status) {
  assert.equal(res.status, status, `${res.status} ${res.text.slice(0, 500)}`);
  let r = doc.paths['/api/v1/figures'].get.responses[String(status)];
  assert.ok(r, `${status} not documented`);
  if (r.$ref) r = resolve(r.$ref);
  const media = r.content[res.contentType.split(';')[0]];
  assert.ok(media, `${res.contentType} not documented for ${status}`);
  const body = res.json();
  const errors = validate(media.schema, body);
  assert.deepEqual(errors, [], `${errors.join('\n')}\n${res.text.slice(0, 600)}`);
  return body;
}

// ---- helpers ------------------------------------------------------------------------------

function unescapeHtml(t) {
  return t.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** 12400 -> "12 400" (narrow no-break spaces), as the pages write numbers. */
function fr(n) {
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
  return n < 0 ? `-${s}` : s;
}

/** The key figures of a page or a report: {key: "text shown"}. */
function pageFigures(html) {
  const out = {};
  for (const m of html.matchAll(/data-key="([a-z_]+)">([^<]*)</g)) out[m[1]] = unescapeHtml(m[2]);
  return out;
}

/** What a page must show for the API's figure f. */
function shown(f) {
  const n = fr(f.value);
  if (f.unit === 'percent') return `${n}${NNBSP}%`;
  if (f.unit === 'euro') return `${n}${NNBSP}€`;
  if (f.unit === 'hour') return `${n}${NNBSP}h`;
  return n;
}

/** The API's figures as a page would show them (budget members included when present). */
function expectedPageFigures(api) {
  const out = {};
  for (const [k, f] of Object.entries(api.figures)) {
    if (['spectators', 'qpv_actions', 'rural_actions'].includes(k)) continue; // API and CSV only
    out[k] = shown(f);
  }
  return out;
}

async function createAction(client, over) {
  const res = await client.postJson('/api/v1/actions', {
    type: 'open_air',
    status: 'done',
    communes: ['59350'],
    ...over,
  });
  assert.equal(res.status, 201, `${res.status} ${res.text.slice(0, 400)}`);
  return res.json();
}

const BUDGET = ['budget_requested', 'budget_granted', 'budget_cofunding'];

// ---- the tests, in order ------------------------------------------------------------------

describe('figures of a year', () => {
  test('the years used here are empty in the demo', async () => {
    for (const y of [YEAR, YEAR - 1]) {
      const api = expectFigures(await who.admin.get(`/api/v1/figures?year=${y}`), 200);
      assert.equal(api.figures.actions.value, 0, `no action in ${y} before the test`);
    }
  });

  test('actions created through the API by a coordinator and an admin', async () => {
    await createAction(who.coordinator, {
      title: 'Atelier film au collège Boris Vian',
      description: 'Un court métrage de fiction tourné au collège.\nRestitution en juin.',
      type: 'workshop_film',
      start_date: `${YEAR}-03-04`,
      end_date: `${YEAR}-06-20`,
      communes: ['59350', '59512'],
      participants_12_17: 10,
      participants_18_25: 2,
      spectators: 100,
      practice_hours: 30,
      films_made: 1,
      publics: ['qpv'],
      budget_requested: 5000,
      budget_granted: 4000,
      budget_cofunding: 1000,
    });
    await createAction(who.coordinator, {
      title: 'Plein air au parc Jean-Baptiste Lebas',
      description: 'Projection en plein air, ouverte à tous.',
      start_date: `${YEAR}-07-14`,
      end_date: `${YEAR}-07-14`,
      spectators: 300,
      budget_requested: 2000,
      budget_granted: 1800,
      budget_cofunding: 0,
    });
    await createAction(who.coordinator, {
      title: 'Séance annulée pour orage',
      status: 'cancelled',
      start_date: `${YEAR}-08-01`,
      end_date: `${YEAR}-08-01`,
      spectators: 999,
    });
    await createAction(who.admin, {
      coordination: 'acap-pole-regional-image',
      title: 'Ciné-débat à Amiens',
      description: 'Un film, puis une discussion avec la réalisatrice.',
      type: 'debate',
      start_date: `${YEAR}-10-02`,
      end_date: `${YEAR}-10-02`,
      communes: ['80021'],
      spectators: 50,
      budget_requested: 800,
      budget_granted: 700,
      budget_cofunding: 100,
    });
    await createAction(who.coordinator, {
      title: 'Plein air de l’année précédente',
      start_date: `${YEAR - 1}-07-14`,
      end_date: `${YEAR - 1}-07-14`,
      spectators: 200,
      budget_requested: 1000,
      budget_granted: 1000,
      budget_cofunding: 0,
    });
  });

  test('the API counts them: nation and coordination, changes, tables', async () => {
    const nat = expectFigures(await who.admin.get(`/api/v1/figures?year=${YEAR}`), 200);
    assert.equal(nat.year, YEAR);
    assert.equal(nat.coordination, null);
    assert.equal(nat.budget_included, true);
    assert.deepEqual(nat.figures.actions, { value: 3, previous: 1, change: 200, unit: 'count' });
    assert.equal(nat.figures.reached.value, 112 + 300 + 50);
    assert.equal(nat.figures.participants.value, 12);
    assert.equal(nat.figures.films.value, 1);
    assert.equal(nat.figures.communes.value, 3);
    assert.equal(nat.figures.coordinations.value, 2);
    assert.equal(nat.figures.qpv_share.value, 33);
    assert.equal(nat.figures.hours.value, 30);
    assert.equal(nat.figures.budget_granted.value, 4000 + 1800 + 700);
    assert.deepEqual(nat.figures.budget_granted.previous, 1000);
    const byType = Object.fromEntries(nat.by_type.map((t) => [t.code, [t.value, t.previous]]));
    assert.deepEqual(byType.open_air, [1, 1]);
    assert.deepEqual(byType.workshop_film, [1, 0]);
    assert.deepEqual(byType.debate, [1, 0]);
    assert.equal(nat.by_month[6].value, 1);
    assert.equal(nat.by_month[6].previous, 1);
    assert.equal(nat.by_month[7].value, 0, 'the cancelled action does not count');
    const byCoord = Object.fromEntries(nat.by_coordination.map((c) => [c.slug, c.value]));
    assert.equal(byCoord['hors-cadre'], 2);
    assert.equal(byCoord['acap-pole-regional-image'], 1);
    const byDep = Object.fromEntries(nat.by_departement.map((d) => [d.code, d.value]));
    assert.deepEqual(byDep, { 59: 2, 80: 1 });

    const hc = expectFigures(await who.coordinator.get(`/api/v1/figures?year=${YEAR}&coordination=hors-cadre`), 200);
    assert.deepEqual(hc.coordination, { slug: 'hors-cadre', name: hc.coordination.name });
    assert.deepEqual(hc.figures.actions, { value: 2, previous: 1, change: 100, unit: 'count' });
    assert.equal(hc.figures.budget_granted.value, 5800, 'its own coordinator sees the budget');
    assert.ok(!('coordinations' in hc.figures), 'active coordinations: the nation only');
    assert.deepEqual(hc.by_coordination, []);
  });

  test('budgets: hidden from anonymous visitors and from another coordination', async () => {
    for (const [client, q] of [
      [who.anonymous, `year=${YEAR}`],
      [who.anonymous, `year=${YEAR}&coordination=hors-cadre`],
      [who.foreign, `year=${YEAR}&coordination=hors-cadre`],
      [who.coordinator, `year=${YEAR}`],
    ]) {
      const api = expectFigures(await client.get(`/api/v1/figures?${q}`), 200);
      assert.equal(api.budget_included, false, q);
      for (const k of BUDGET) assert.ok(!(k in api.figures), `${q}: no ${k}`);
    }
    const own = expectFigures(await who.foreign.get(`/api/v1/figures?year=${YEAR}&coordination=acap-pole-regional-image`), 200);
    assert.equal(own.figures.budget_granted.value, 700);

    const anonPage = await who.anonymous.get(`/coordinations/hors-cadre/chiffres?annee=${YEAR}`);
    const foreignPage = await who.foreign.get(`/coordinations/hors-cadre/chiffres?annee=${YEAR}`);
    const ownPage = await who.coordinator.get(`/coordinations/hors-cadre/chiffres?annee=${YEAR}`);
    for (const p of [anonPage, foreignPage, ownPage]) assert.equal(p.status, 200);
    assert.doesNotMatch(anonPage.text, /id="h-budget"|budget_granted/);
    assert.doesNotMatch(foreignPage.text, /id="h-budget"|budget_granted/);
    assert.match(ownPage.text, /id="h-budget"/);
    assert.equal(pageFigures(ownPage.text).budget_granted, `5${NNBSP}800${NNBSP}€`);
    const anonReport = await who.anonymous.get(`/bilan/${YEAR}`);
    assert.doesNotMatch(anonReport.text, /id="h-budget"/);
    const adminReport = await who.admin.get(`/bilan/${YEAR}`);
    assert.match(adminReport.text, /id="h-budget"/);
  });

  test('the pages show the API numbers, French style, with a table behind every chart', async () => {
    for (const [client, pagePath, q] of [
      [who.anonymous, `/chiffres?annee=${YEAR}`, `year=${YEAR}`],
      [who.admin, `/chiffres?annee=${YEAR}`, `year=${YEAR}`],
      [who.coordinator, `/coordinations/hors-cadre/chiffres?annee=${YEAR}`, `year=${YEAR}&coordination=hors-cadre`],
      [who.admin, `/bilan/${YEAR}`, `year=${YEAR}`],
      [who.anonymous, `/coordinations/hors-cadre/bilan/${YEAR}`, `year=${YEAR}&coordination=hors-cadre`],
    ]) {
      const api = expectFigures(await client.get(`/api/v1/figures?${q}`), 200);
      const page = await client.get(pagePath);
      assert.equal(page.status, 200, pagePath);
      assert.deepEqual(pageFigures(page.text), expectedPageFigures(api), pagePath);
    }
    const page = await who.anonymous.get(`/chiffres?annee=${YEAR}`);
    const html = unescapeHtml(page.text);
    assert.match(html, /<a href="\/chiffres">Chiffres<\/a>/, 'in the main navigation');
    assert.match(html, new RegExp(`<option value="${YEAR}" selected>${YEAR}</option>`));
    assert.match(html, new RegExp(`href="/bilan/${YEAR}"`), 'links to the report');
    assert.match(html, /<dd class="figure-change up">\+200\u202f%/, 'the change from the previous year');
    assert.match(html, /<dd class="figure-change new">nouveau/, 'new when the previous year had none');
    for (const id of ['chart-types', 'chart-months', 'chart-coordinations', 'carte-actions']) {
      assert.match(html, new RegExp(`<svg[^>]*aria-labelledby="${id}-title`), `${id} drawn`);
    }
    assert.equal((html.match(/<summary>Voir les données<\/summary>/g) || []).length, 4, 'a table behind each chart and the map');
    assert.match(html, /<th scope="row">Hors Cadre<\/th>|<th scope="row"><a href="\/coordinations\/hors-cadre\/chiffres\?annee=2019">/);
    assert.match(html, /<th scope="row">Nord<\/th><td>59<\/td><td class="num">2<\/td>/);
    assert.match(html, /<th scope="row">juillet<\/th><td class="num">1<\/td><td class="num">1<\/td>/);
    assert.match(html, /class="map-legend"/);

    const coord = await who.anonymous.get('/coordinations/hors-cadre');
    assert.match(coord.text, /href="\/coordinations\/hors-cadre\/chiffres"/, 'the coordination page links to its figures');
    assert.match(coord.text, /href="\/coordinations\/hors-cadre\/bilan\/\d{4}"/, 'and to its report');
  });

  test('the report lists the year’s actions with their descriptions, grouped by type', async () => {
    const nat = unescapeHtml((await who.anonymous.get(`/bilan/${YEAR}`)).text);
    for (const t of ['Atelier film au collège Boris Vian', 'Plein air au parc Jean-Baptiste Lebas', 'Ciné-débat à Amiens']) {
      assert.ok(nat.includes(t), t);
    }
    assert.ok(nat.includes('Un court métrage de fiction tourné au collège.<br>Restitution en juin.'), 'description, lines kept');
    assert.ok(nat.includes('du 4 mars 2019 au 20 juin 2019'), 'dates in French');
    assert.ok(!nat.includes('Séance annulée pour orage'), 'cancelled actions are left out');
    assert.ok(!nat.includes('Plein air de l’année précédente'), 'other years are left out');
    assert.match(nat, /<h3 id="type-workshop_film">/);
    assert.match(nat, /id="h-films"/);
    const hc = unescapeHtml((await who.anonymous.get(`/coordinations/hors-cadre/bilan/${YEAR}`)).text);
    assert.ok(hc.includes('Atelier film au collège Boris Vian'));
    assert.ok(!hc.includes('Ciné-débat à Amiens'), 'another coordination’s action');
  });

  test('year selection: the default year, another year, bad years (422)', async () => {
    const now = new Date().getUTCFullYear();
    const def = await who.anonymous.get('/chiffres');
    assert.equal(def.status, 200);
    assert.match(def.text, new RegExp(`<option value="${now}" selected>`));
    const prev = await who.anonymous.get(`/chiffres?annee=${YEAR - 1}`);
    assert.equal(pageFigures(prev.text).actions, '1');
    for (const p of ['/chiffres?annee=1999', '/chiffres?annee=abcd', '/chiffres?annee=', '/bilan/20x9', '/bilan/3000',
      '/coordinations/hors-cadre/chiffres?annee=99', '/coordinations/hors-cadre/bilan/12019']) {
      const res = await who.anonymous.get(p);
      assert.equal(res.status, 422, p);
      assert.match(unescapeHtml(res.text), /Une année entre 2000 et 2100 est attendue/, p);
    }
    const api = await who.anonymous.get('/api/v1/figures?year=3000');
    assert.equal(api.status, 422);
    assert.match(api.contentType, /application\/problem\+json/);
    assert.ok(api.json().errors.year);
    const apiDefault = expectFigures(await who.anonymous.get('/api/v1/figures'), 200);
    assert.equal(apiDefault.year, now);
  });

  test('an unknown coordination is a 404', async () => {
    for (const p of ['/coordinations/inconnue/chiffres', `/coordinations/inconnue/bilan/${YEAR}`]) {
      assert.equal((await who.anonymous.get(p)).status, 404, p);
    }
    const api = await who.anonymous.get(`/api/v1/figures?year=${YEAR}&coordination=inconnue`);
    assert.equal(api.status, 404);
    const cli = await runCli(['report', '--year', String(YEAR), '--coordination', 'inconnue', '--format', 'json'], { dataDir: server.dataDir });
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /introuvable/);
  });
});

describe('lanterne report', () => {
  test('json: the API document, budgets included', async () => {
    for (const extra of [[], ['--coordination', 'hors-cadre']]) {
      const cli = await runCli(['report', '--year', String(YEAR), '--format', 'json', ...extra], { dataDir: server.dataDir });
      assert.equal(cli.code, 0, cli.stderr);
      const q = extra.length ? `year=${YEAR}&coordination=hors-cadre` : `year=${YEAR}`;
      const api = expectFigures(await who.admin.get(`/api/v1/figures?${q}`), 200);
      assert.deepEqual(JSON.parse(cli.stdout), api, q);
    }
  });

  test('csv: one line per figure, then the tables; semicolons, UTF-8 with a BOM', async () => {
    const out = path.join(server.dataDir, `report-${YEAR}.csv`);
    const cli = await runCli(['report', '--year', String(YEAR), '--format', 'csv', '--output', out], { dataDir: server.dataDir });
    assert.equal(cli.code, 0, cli.stderr);
    const buf = fs.readFileSync(out);
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM');
    const lines = buf.toString('utf8').slice(1).split('\r\n');
    assert.equal(lines[0], 'Chiffre;Valeur;Année précédente;Évolution');
    const api = expectFigures(await who.admin.get(`/api/v1/figures?year=${YEAR}`), 200);
    for (const [k, f] of Object.entries(api.figures)) {
      const change = f.change === null ? '' : f.change > 0 ? `+${f.change}` : String(f.change);
      assert.ok(lines.includes(`${k};${f.value};${f.previous};${change}`), `${k} line: ${lines.find((l) => l.startsWith(`${k};`))} vs ${JSON.stringify(f)}`);
    }
    assert.ok(lines.includes('actions;3;1;+200'));
    assert.ok(lines.includes('Séance en plein air;open_air;1;1'), 'by type');
    assert.ok(lines.includes('juillet;7;1;1'), 'by month');
    assert.ok(lines.some((l) => /^Hors Cadre;hors-cadre;2$/.test(l)), 'by coordination');
    assert.ok(lines.includes('Nord;59;2'), 'by département');
  });

  test('html: the report page with the same figures, budget included, standing alone', async () => {
    const out = path.join(server.dataDir, `report-${YEAR}.html`);
    const cli = await runCli(['report', '--year', String(YEAR), '--format', 'html', '--output', out], { dataDir: server.dataDir });
    assert.equal(cli.code, 0, cli.stderr);
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<style>[\s\S]*@media print[\s\S]*<\/style>/, 'the stylesheet is inlined');
    const admin = await who.admin.get(`/bilan/${YEAR}`);
    assert.deepEqual(pageFigures(html), pageFigures(admin.text));
    assert.ok(pageFigures(html).budget_granted, 'budget included');
    const body = (t) => t.slice(t.indexOf('<article class="report">'), t.indexOf('</article>'));
    const anon = await who.anonymous.get(`/coordinations/hors-cadre/bilan/${YEAR}`);
    const cliHc = await runCli(['report', '--year', String(YEAR), '--coordination', 'hors-cadre'], { dataDir: server.dataDir });
    assert.equal(cliHc.code, 0, cliHc.stderr);
    // the same body but the budget section
    const strip = (t) => body(t)
      .replace(/<section class="figures-section" aria-labelledby="h-budget">[\s\S]*?<\/section>/, '')
      .replace(/\s+/g, ' ');
    assert.equal(strip(cliHc.stdout), strip(anon.text));
  });
});
