// CSV import and export of actions (issue 6, point 3): a 2,000-row file in Windows-1252 with
// semicolons goes through the three steps (upload, column mapping, import) with CSRF; the
// same file with three bad rows imports nothing and names the three lines and reasons; the
// rights (supervisors, another coordination's coordinator, the uploaded file of another
// account); the export (/actions.csv: semicolon, BOM, CRLF; the API's JSON and CSV) and its
// re-import into another coordination giving the same actions.
//
// One server (a copy of the init + demo fixture) for the file; the actions made here are in
// 2031, a year the demo does not reach, so every count is over what the tests create.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client, clientAs, login, runCli, startServer } from './lib/server.mjs';
import { fetchBytes, postMultipart, unescapeHtml } from './lib/photos.mjs';

const FOREIGN = { login: 'coord-acap-import', password: 'coord-acap-mot-de-passe' };
const YEAR = 2031;
const ROWS = 2000;

let server;
const who = {};
const s = {};

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', FOREIGN.login, '--name', 'Coordination Acap (import)', '--role', 'coordinator',
          '--coordination', 'acap-pole-regional-image', '--password', FOREIGN.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${FOREIGN.login}: ${add.stderr}`);
    },
  });
  for (const role of ['anonymous', 'supervisor', 'coordinator', 'admin']) who[role] = await clientAs(server, role);
  who.foreign = new Client(server.url);
  await login(who.foreign, FOREIGN.login, FOREIGN.password);
  await who.foreign.csrf('/');
  const st = await who.admin.get('/api/v1/structures?coordination=hors-cadre&per_page=100');
  assert.equal(st.status, 200);
  const communes = new Map();
  for (const it of st.json().items) communes.set(it.commune.code, it.commune);
  s.communes = [...communes.values()];
  assert.ok(s.communes.length >= 2, 'the demo has structures in several communes of hors-cadre');
  for (const slug of ['hors-cadre', 'acap-pole-regional-image']) {
    const c = await who.admin.get(`/api/v1/coordinations/${slug}`);
    assert.equal(c.status, 200);
    s[slug] = c.json().id;
  }
});

after(async () => {
  if (!server) return;
  const end = await server.stop();
  assert.ok(!/Sanitizer|runtime error/.test(server.logs()), server.logs().slice(-3000));
  assert.equal(end.code, 0, `the server exited with ${end.code ?? end.signal}`);
});

// ---- Windows-1252 ----------------------------------------------------------------------

const CP1252_HIGH = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
  'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
  '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

function cp1252(text) {
  const out = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) out.push(cp);
    else if (CP1252_HIGH[ch] !== undefined) out.push(CP1252_HIGH[ch]);
    else throw new Error(`not in Windows-1252: ${ch}`);
  }
  return Buffer.from(out);
}

// ---- the file ----------------------------------------------------------------------------

const HEADER = ['Titre', 'Description', "Type d'action", 'Statut', 'Date de début', 'Date de fin', 'Communes',
  'Thématiques', 'Formes', 'Publics', 'Participants 12-17 ans', 'Filles', 'Garçons', 'Spectateurs',
  'Heures de pratique', 'Films réalisés', 'Budget demandé', 'Budget accordé'];
const TYPES = ['Ciné-débat', 'workshop_film', 'Séance en plein air', 'atelier de programmation'];

function pad(n) { return String(n).padStart(2, '0'); }

/** The rows (arrays of strings); bad: {index: kind} replaces what a row says. */
function rows(bad = {}) {
  const out = [];
  for (let i = 0; i < ROWS; i++) {
    const type = TYPES[i % TYPES.length];
    const practice = type === 'workshop_film' || type === 'atelier de programmation';
    const c1 = s.communes[i % s.communes.length];
    const c2 = s.communes[(i + 1) % s.communes.length];
    // some communes by INSEE code, some by "Nom (dép.)"
    const communes = i % 3 === 0 ? `${c1.code}` : i % 3 === 1 ? `${c1.name} (${c1.code.slice(0, 2)})`
      : c1.code === c2.code ? c1.code : `${c1.code} | ${c2.name} (${c2.code.slice(0, 2)})`;
    const month = 1 + (i % 12);
    const start = i % 2 ? `${YEAR}-${pad(month)}-03` : `03/${pad(month)}/${YEAR}`;
    const end = i % 2 ? `${YEAR}-${pad(month)}-20` : `20/${pad(month)}/${YEAR}`;
    const p = practice ? 8 + (i % 7) : 0;
    const row = [`Action d'été n° ${i} – à Noël, très réussie`, `Description « ${i} » : œuvre, garçons et filles.`,
      type, i % 5 ? 'Réalisée' : 'prévue', start, end, communes, i % 2 ? 'Citoyenneté | Environnement' : 'education',
      practice ? 'Documentaire' : '', i % 4 === 0 ? 'QPV' : '', String(p), practice ? String(p - 3) : '',
      practice ? '3' : '', String(20 + (i % 50)), practice ? String(10 + (i % 20)) : '0',
      practice ? '1' : '0', '1 500', String(1000 + i)];
    if (bad[i] === 'type') row[2] = 'atelier cuisine';
    if (bad[i] === 'commune') row[6] = 'Villeinexistantequelquepart';
    if (bad[i] === 'dates') row[5] = `${YEAR}-01-01`, row[4] = `${YEAR}-02-01`;
    out.push(row);
  }
  return out;
}

function csvText(header, body, sep = ';') {
  const q = (v) => (/[";\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...body].map((r) => r.map(q).join(sep)).join('\r\n') + '\r\n';
}

// ---- the three steps ----------------------------------------------------------------------

/** Uploads bytes (step 1); resolves the answer. */
function upload(client, bytes, fields = {}) {
  return postMultipart(client, '/actions/import', { fields, files: [{ field: 'file', name: 'actions.csv', bytes, type: 'text/csv' }] });
}

/** The mapping form of a step-2 page: its action, and [name, value] pairs as pre-selected. */
function mappingForm(html) {
  const action = html.match(/<form method="post" action="(\/actions\/import\/[0-9a-f]{32})"/);
  assert.ok(action, 'the mapping page has its form');
  const pairs = [];
  const coord = html.match(/name="coordination_id" value="(\d+)"/);
  if (coord) pairs.push(['coordination_id', coord[1]]);
  for (const m of html.matchAll(/<select id="map-(\d+)" name="(col\d+)">([\s\S]*?)<\/select>/g)) {
    const sel = m[3].match(/<option value="([^"]*)" selected>/);
    pairs.push([m[2], sel ? sel[1] : '']);
  }
  return { action: action[1], pairs };
}

async function importFile(client, bytes, fields = {}) {
  const up = await upload(client, bytes, fields);
  assert.equal(up.status, 200, up.text.slice(0, 1500));
  const form = mappingForm(up.text);
  const res = await client.post(form.action, form.pairs, { timeout: 120_000 });
  return { up, form, res };
}

/** A CSV answer with its bytes as they are (fetch's text() would drop the BOM). */
async function getCsv(client, pathname) {
  const r = await fetchBytes(client, pathname);
  return { status: r.status, headers: r.headers, contentType: r.headers.get('content-type') || '', text: r.bytes.toString('utf8') };
}

async function count(coord) {
  const r = await who.admin.get(`/api/v1/actions?year=${YEAR}&coordination=${coord}&per_page=1`);
  assert.equal(r.status, 200);
  return r.json().total;
}

describe('import', () => {
  test('the import page documents the columns and offers the template', async () => {
    const r = await who.coordinator.get('/actions/import');
    assert.equal(r.status, 200);
    assert.match(r.text, /enctype="multipart\/form-data"/);
    assert.match(r.text, /name="_csrf"/);
    for (const key of ['titre', 'debut', 'communes', 'spectateurs_incluent_participants', 'budget_accorde']) {
      assert.match(r.text, new RegExp(`<code>${key}</code>`));
    }
    const t = await getCsv(who.anonymous, '/actions/import/modele.csv');
    assert.equal(t.status, 200);
    assert.match(t.contentType, /^text\/csv/);
    assert.ok(t.text.startsWith('\ufefftitre;description;type;statut;debut;fin;communes;'), t.text.slice(0, 80));
    assert.ok(t.text.endsWith('cofinancement\r\n'));
  });

  test('a file that is no CSV is refused with 422 and a French reason', async () => {
    const r = await upload(who.coordinator, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0x81, 0x8d]));
    assert.equal(r.status, 422);
    assert.match(r.text, /pas un CSV lisible/);
    const none = await postMultipart(who.coordinator, '/actions/import', { fields: {} });
    assert.equal(none.status, 422);
    assert.match(none.text, /Choisissez un fichier CSV/);
  });

  test('the size limit: past 1 MiB is accepted (an upload route), past CSV_MAX_BYTES is a 413', async () => {
    // rows of about 100 bytes: 2 MiB stays under CSV_MAX_ROWS (50,000)
    const line = `Une action au titre assez long pour remplir la ligne;debate;2031-01-01;2031-01-01;59350\r\n`;
    const big = Buffer.from('titre;type;debut;fin;communes\r\n' + line.repeat(Math.ceil((2 << 20) / line.length)));
    const ok = await upload(who.coordinator, big);
    assert.equal(ok.status, 200, ok.text.slice(0, 500));
    const tooBig = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const r = await upload(who.coordinator, tooBig);
    assert.equal(r.status, 413);
    assert.match(unescapeHtml(r.text), /pas un CSV lisible/);
  });

  test('a bad mapping shows the mapping page again with 422 and the reason', async () => {
    const up = await upload(who.coordinator, cp1252(csvText(HEADER, rows().slice(0, 3))));
    assert.equal(up.status, 200);
    const form = mappingForm(up.text);
    const twice = form.pairs.map(([k, v]) => (k === 'col1' ? [k, 'titre'] : [k, v]));
    const r = await who.coordinator.post(form.action, twice);
    assert.equal(r.status, 422);
    assert.match(unescapeHtml(r.text), /Deux colonnes du fichier sont associées à « titre »/);
    assert.ok(r.text.includes(`action="${form.action}"`), 'the same file, mapped again');
    const none = form.pairs.map(([k, v]) => (v === 'communes' ? [k, ''] : [k, v]));
    const r2 = await who.coordinator.post(form.action, none);
    assert.equal(r2.status, 422);
    assert.match(unescapeHtml(r2.text), /Aucune colonne du fichier n'est associée à « communes »/);
  });

  test('three bad rows: nothing is imported and the page names each line and reason', async () => {
    const before = await count('hors-cadre');
    const bytes = cp1252(csvText(HEADER, rows({ 15: 'type', 40: 'commune', 99: 'dates' })));
    const { up, res } = await importFile(who.coordinator, bytes);
    assert.match(up.text, /Windows-1252/);
    assert.match(up.text, /point-virgule/);
    assert.equal(res.status, 422, res.text.slice(0, 1500));
    const text = unescapeHtml(res.text);
    assert.match(text, /Ligne 17 : Type d'action : type inconnu « atelier cuisine »/);
    assert.match(text, /Ligne 42 : Communes : commune introuvable « Villeinexistantequelquepart »/);
    assert.match(text, /Ligne 101 : Date de fin : La fin ne peut pas précéder le début/);
    assert.equal((text.match(/<li>Ligne /g) || []).length, 3);
    assert.equal(await count('hors-cadre'), before);
  });

  test('2,000 rows in Windows-1252 with semicolons import through the three steps', async () => {
    const before = await count('hors-cadre');
    const bytes = cp1252(csvText(HEADER, rows()));
    const t0 = Date.now();
    const { up, form, res } = await importFile(who.coordinator, bytes);
    const took = Date.now() - t0;
    // headers were recognised: every column pre-selected
    const chosen = Object.fromEntries(form.pairs);
    assert.equal(chosen.col0, 'titre');
    assert.equal(chosen.col2, 'type');
    assert.equal(chosen.col4, 'debut');
    assert.equal(chosen.col10, 'participants_12_17');
    assert.equal(chosen.col12, 'garcons');
    assert.equal(chosen.col16, 'budget_demande');
    assert.match(up.text, /Action d&#39;été n° 0|Action d'été n° 0/);
    assert.equal(res.status, 200, res.text.slice(0, 2000));
    assert.match(res.text, /2000 actions importées|2 000 actions importées/);
    assert.match(res.text, /href="\/actions\?coordination=hors-cadre"/);
    assert.equal(await count('hors-cadre'), before + ROWS);
    console.log(`# import of ${ROWS} rows: ${took} ms in all, ${res.headers.get('x-import-ms')} ms on the server`);
    assert.ok(took < 30_000, `the import took ${took} ms`);
    // an accented title came through Windows-1252 intact
    const one = await who.admin.get(`/api/v1/actions?year=${YEAR}&coordination=hors-cadre&q=${encodeURIComponent('n° 7 –')}`);
    assert.equal(one.status, 200);
    assert.ok(one.json().items.some((a) => a.title === "Action d'été n° 7 – à Noël, très réussie"));
    // the step-2 file is gone once imported
    const again = await who.coordinator.post(form.action, form.pairs);
    assert.equal(again.status, 404);
  });
});

describe('rights', () => {
  test('a supervisor may not import', async () => {
    assert.equal((await who.supervisor.get('/actions/import')).status, 403);
    const r = await upload(who.supervisor, Buffer.from('titre;type\nA;debate\n'));
    assert.equal(r.status, 403);
  });

  test("another coordination's coordinator may not choose a coordination not theirs", async () => {
    const r = await upload(who.foreign, cp1252(csvText(HEADER, rows().slice(0, 3))), { coordination_id: String(s['hors-cadre']) });
    assert.equal(r.status, 403);
    // nor post a mapping for it
    const own = await upload(who.foreign, cp1252(csvText(HEADER, rows().slice(0, 3))));
    assert.equal(own.status, 200);
    const form = mappingForm(own.text);
    const pairs = form.pairs.map(([k, v]) => (k === 'coordination_id' ? [k, String(s['hors-cadre'])] : [k, v]));
    assert.equal((await who.foreign.post(form.action, pairs)).status, 403);
  });

  test('the uploaded file cannot be used by another account', async () => {
    const up = await upload(who.coordinator, cp1252(csvText(HEADER, rows().slice(0, 3))));
    assert.equal(up.status, 200);
    const form = mappingForm(up.text);
    const admin = await who.admin.post(form.action, form.pairs);
    assert.equal(admin.status, 404);
    const pairs = form.pairs.map(([k, v]) => (k === 'coordination_id' ? [k, String(s['acap-pole-regional-image'])] : [k, v]));
    assert.equal((await who.foreign.post(form.action, pairs)).status, 404);
    const dir = path.join(server.dataDir, 'imports');
    if (fs.existsSync(dir)) assert.ok(fs.readdirSync(dir).every((n) => /^u\d+-[0-9a-f]{32}\.csv$/.test(n)));
  });
});

describe('export', () => {
  test('/actions.csv: semicolons, BOM, CRLF, budgets only for those who may see them', async () => {
    const r = await getCsv(who.coordinator, `/actions.csv?coordination=hors-cadre&year=${YEAR}`);
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/csv/);
    assert.match(r.headers.get('content-disposition') || '', /attachment/);
    assert.ok(r.text.startsWith('\ufefftitre;'));
    const lines = r.text.slice(1).split('\r\n');
    assert.equal(lines.at(-1), '');
    assert.ok(lines[0].endsWith(';budget_demande;budget_accorde;cofinancement'));
    assert.equal(lines.length - 2, ROWS);
    const anon = await getCsv(who.anonymous, `/actions.csv?coordination=hors-cadre&year=${YEAR}`);
    assert.equal(anon.status, 200);
    assert.ok(!anon.text.includes('budget_'));
    const foreign = await getCsv(who.foreign, `/actions.csv?coordination=hors-cadre&year=${YEAR}`);
    assert.ok(!foreign.text.includes('budget_'));
    const comma = await getCsv(who.coordinator, `/actions.csv?coordination=hors-cadre&year=${YEAR}&sep=comma`);
    assert.ok(comma.text.startsWith('\ufefftitre,description,'));
    assert.equal((await who.coordinator.get('/actions.csv?sep=tab')).status, 400);
    s.export = r.text;
  });

  test('the API export gives the same columns in JSON and CSV', async () => {
    const j = await who.coordinator.get(`/api/v1/actions/export?coordination=hors-cadre&year=${YEAR}`);
    assert.equal(j.status, 200);
    const body = j.json();
    assert.equal(body.total, ROWS);
    assert.equal(body.items.length, ROWS);
    assert.equal(body.columns[0], 'titre');
    assert.equal(body.items[0].budget_demande, '1500');
    const c = await getCsv(who.coordinator, `/api/v1/actions/export?format=csv&coordination=hors-cadre&year=${YEAR}`);
    assert.equal(c.status, 200);
    assert.equal(c.text, s.export);
    assert.equal((await who.coordinator.get('/api/v1/actions/export?format=xml')).status, 400);
  });

  test('an export re-imports into another coordination as the same actions', async () => {
    assert.equal(await count('acap-pole-regional-image'), 0);
    const bytes = Buffer.from(s.export, 'utf8');
    const { up, res } = await importFile(who.admin, bytes, { coordination_id: String(s['acap-pole-regional-image']) });
    assert.match(up.text, /UTF-8/);
    assert.equal(res.status, 200, unescapeHtml(res.text).slice(0, 3000));
    assert.equal(await count('acap-pole-regional-image'), ROWS);
    const back = await getCsv(who.admin, `/actions.csv?coordination=acap-pole-regional-image&year=${YEAR}`);
    assert.equal(back.status, 200);
    assert.equal(back.text, s.export);
  });
});
