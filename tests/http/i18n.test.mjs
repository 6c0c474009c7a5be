// Translations: French by default, English from po/en.po (build/locale/en.mo) chosen by the
// lang cookie or Accept-Language; the catalog covers every template text; English pages
// (anonymous ones) show no French interface text, data aside (names of coordinations,
// organisations, municipalities and departments stay as they are). See docs/i18n.md.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client, DEMO, REPO_ROOT, login, startServer } from './lib/server.mjs';

const EN = { 'Accept-Language': 'en' };
const FR = { 'Accept-Language': 'fr' };

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  if (server) await server.stop();
});

// ---- the catalog ------------------------------------------------------------------------

/** The entries of a .po file: Map msgid → {str, fuzzy}; obsolete (#~) entries left out. */
function readPo(file) {
  const entries = new Map();
  const text = fs.readFileSync(file, 'utf8');
  const unquote = (s) => JSON.parse(s.replace(/\\t/g, '\\t')); // po strings are C strings; ours fit JSON
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => !l.startsWith('#~'));
    let id = null;
    let str = null;
    let cur = null;
    let fuzzy = false;
    for (const l of lines) {
      if (/^#,.*\bfuzzy\b/.test(l)) fuzzy = true;
      else if (l.startsWith('msgid ')) { id = unquote(l.slice(6)); cur = 'id'; }
      else if (l.startsWith('msgstr ')) { str = unquote(l.slice(7)); cur = 'str'; }
      else if (l.startsWith('"') && cur === 'id') id += unquote(l);
      else if (l.startsWith('"') && cur === 'str') str += unquote(l);
    }
    if (id) entries.set(id, { str, fuzzy });
  }
  return entries;
}

/** The {{_ text}} tags of a template, as scripts/update-po.sh reads them. */
function templateMsgids(html) {
  const ids = [];
  for (const m of html.matchAll(/\{\{([^}]*)\}\}/g)) {
    const tag = m[1].trim();
    if (/^_\s/.test(tag)) ids.push(tag.slice(1).trim());
  }
  return ids;
}

function listTemplates(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTemplates(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out.sort();
}

describe('catalog', () => {
  const poFile = path.join(REPO_ROOT, 'po/en.po');

  test('po/en.po declares English in UTF-8 and compiles with msgfmt --check, all translated', (t) => {
    const po = readPo(poFile);
    const header = fs.readFileSync(poFile, 'utf8').split(/\n\s*\n/).find((b) => /^msgid ""$/m.test(b)) || '';
    assert.match(header, /"Language: en\\n"/, 'header Language: en');
    assert.match(header, /charset=UTF-8/, 'header charset=UTF-8');
    assert.ok(po.size > 100, `only ${po.size} messages in po/en.po`);
    const run = spawnSync('msgfmt', ['--check', '--statistics', '-o', '/dev/null', poFile], { encoding: 'utf8' });
    if (run.error && run.error.code === 'ENOENT') {
      t.skip('msgfmt is not installed');
      return;
    }
    assert.equal(run.status, 0, `msgfmt --check failed:\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /untranslated|fuzzy/, `msgfmt --statistics: ${run.stderr.trim()}`);
  });

  test('every {{_ text}} of the templates has an English translation (run scripts/update-po.sh)', () => {
    const po = readPo(poFile);
    const missing = [];
    for (const file of listTemplates(path.join(REPO_ROOT, 'templates'))) {
      for (const id of templateMsgids(fs.readFileSync(file, 'utf8'))) {
        const e = po.get(id);
        if (!e || !e.str || e.fuzzy) missing.push(`${path.relative(REPO_ROOT, file)}: ${id}`);
      }
    }
    assert.deepEqual(missing, [], `template texts without an English translation in po/en.po:\n${missing.join('\n')}`);
  });
});

// ---- choosing the language --------------------------------------------------------------

describe('language choice', () => {
  test('the home page is in French by default', async () => {
    const res = await new Client(server.url).get('/');
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="fr">/);
    assert.match(res.text, /Le réseau sur Lanterne/);
    assert.match(res.text, /Aller au contenu/);
    assert.doesNotMatch(res.text, /The network on Lanterne/);
  });

  test('the home page is in English with Accept-Language: en', async () => {
    const res = await new Client(server.url).get('/', { headers: EN });
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="en">/);
    assert.match(res.text, /The network on Lanterne/);
    assert.match(res.text, /Skip to content/);
    assert.doesNotMatch(res.text, /Le réseau sur Lanterne/);
  });

  test('/langue/en sets the lang cookie and redirects', async () => {
    const c = new Client(server.url);
    const res = await c.get('/langue/en?next=%2Fcoordinations');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/coordinations');
    const cookie = res.setCookies.find((s) => /^lang=/.test(s));
    assert.ok(cookie, `no lang cookie in ${JSON.stringify(res.setCookies)}`);
    assert.match(cookie, /^lang=en;/);
    assert.match(cookie, /Path=\//i);
    const page = await c.get('/coordinations');
    assert.match(page.text, /<html lang="en">/);
  });

  test('the cookie choice beats Accept-Language, both ways', async () => {
    const en = await new Client(server.url).get('/', { headers: { ...FR, Cookie: 'lang=en' } });
    assert.match(en.text, /<html lang="en">/);
    assert.match(en.text, /The network on Lanterne/);
    const fr = await new Client(server.url).get('/', { headers: { ...EN, Cookie: 'lang=fr' } });
    assert.match(fr.text, /<html lang="fr">/);
    assert.match(fr.text, /Le réseau sur Lanterne/);
  });

  test('a problem+json answer has its title and detail in English', async () => {
    const c = new Client(server.url);
    const en = await c.get('/api/v1/communes', { headers: EN });
    assert.equal(en.status, 400);
    assert.match(en.contentType, /^application\/problem\+json/);
    const pe = en.json();
    const pf = (await c.get('/api/v1/communes', { headers: FR })).json();
    assert.equal(pf.title, 'Requête invalide');
    assert.equal(pf.detail, 'Le paramètre q est requis.');
    assert.equal(pe.status, 400);
    assert.equal(pe.title, 'Bad request');
    assert.equal(pe.detail, 'The q parameter is required.');
  });

  test('a message from C code (a login form error) is shown in English', async () => {
    const c = new Client(server.url, { headers: EN });
    const res = await c.post('/connexion', { login: '', password: '' }, { csrfFrom: '/connexion' });
    assert.equal(res.status, 422);
    assert.match(res.text, /<html lang="en">/);
    assert.match(res.text, /Enter your username and password\./);
  });
});

// ---- no French left in English pages ----------------------------------------------------

/** Words and phrases of French interface text; matched as whole words, after data is removed. */
const FRENCH = [
  // function words English never uses on its own
  ...['les', 'des', 'une', 'est', 'pour', 'avec', 'dans', 'aux', 'vous', 'votre'].map(
    (w) => new RegExp(`(?<!\\p{L})${w}(?!\\p{L})`, 'iu'),
  ),
  // interface words of this site
  ...[
    'Accueil', 'Connexion', 'Rechercher', 'Se connecter', 'Se déconnecter', 'Mot de passe', 'Identifiant',
    'Enregistrer', 'Annuler', 'Supprimer', 'Modifier', 'Filtrer', 'Aucun', 'Aucune', 'Adresse',
    'Téléphone', 'Présentation', 'Départements', 'Territoire', 'Utilisateurs', 'Retour', 'précédente',
    'suivante', 'partenaires', 'introuvable', 'obligatoire', 'nationale', 'régionale', "n'est",
    'Aller au contenu',
  ].map((w) => new RegExp(`(?<!\\p{L})${w}(?!\\p{L})`, 'u')),
];

function decodeEntities(s) {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

/** What a person reads or hears: text and the aria-label/title/alt/placeholder attributes.
 * Elements marked lang="fr" (the "Français" switch) are French on purpose and left out. */
function readableTexts(html) {
  const body = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<(?!html\b)(\w+)\b[^>]*\blang="fr"[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  const texts = [];
  for (const m of body.matchAll(/\b(?:aria-label|title|alt|placeholder)="([^"]*)"/g)) texts.push(decodeEntities(m[1]));
  for (const chunk of body.split(/<[^>]*>/)) {
    const t = decodeEntities(chunk).trim();
    if (t) texts.push(t);
  }
  return texts;
}

/** Every string of the fixture data that pages may show (they stay French in English pages);
 * extra: more data the caller knows about (accounts, token names). */
async function dataStrings(c, extra = []) {
  const data = new Set(["Passeurs d'images", 'Lanterne']);
  const add = (...vs) => { for (const v of vs) if (typeof v === 'string' && v.trim()) data.add(v.trim()); };
  const coords = (await c.get('/api/v1/coordinations')).json().items;
  for (const co of coords) add(co.name, co.description, co.address, co.email, co.phone, co.website);
  for (const d of (await c.get('/api/v1/departements')).json().items) add(d.name);
  for (let page = 1; ; page++) {
    const res = (await c.get(`/api/v1/structures?per_page=100&page=${page}`)).json();
    for (const s of res.items) add(s.name, s.description, s.address, s.email, s.phone, s.website, s.commune?.name);
    if (page * res.per_page >= res.total || res.items.length === 0) break;
  }
  // workshop films and their groups (the home page lists the newest public films)
  for (const f of (await c.get('/api/v1/films?per_page=100')).json().items) add(f.title, f.synopsis, f.group?.title);
  add(...extra);
  return [...data].sort((a, b) => b.length - a.length); // longest first: a name inside a name
}

function withoutData(text, data) {
  let t = text;
  for (const d of data) if (t.includes(d)) t = t.split(d).join(' ');
  return t;
}

function frenchIn(html, data) {
  const found = [];
  for (const text of readableTexts(html)) {
    const rest = withoutData(text, data);
    for (const re of FRENCH) {
      const m = rest.match(re);
      if (m) found.push(`${JSON.stringify(m[0])} in ${JSON.stringify(text.slice(0, 160))}`);
    }
  }
  return found;
}

describe('English pages show no French interface text', () => {
  let data;
  let pages;
  before(async () => {
    const c = new Client(server.url);
    data = await dataStrings(c);
    const firstStructure = (await c.get('/api/v1/structures?per_page=1')).json().items[0];
    const slugs = (await c.get('/api/v1/coordinations')).json().items.map((co) => co.slug);
    pages = [
      '/',
      '/coordinations',
      '/coordinations/hors-cadre',
      `/coordinations/${slugs.find((s) => s !== 'hors-cadre')}`,
      '/structures',
      '/structures?page=2',
      '/structures?type=cinema',
      '/structures?commune=zzzz',
      '/structures?q=aucune-structure-de-ce-nom',
      `/structures/${firstStructure.id}`,
      '/connexion',
      '/nulle-part',
    ];
  });

  test('the detector finds French in the French pages (it is not blind)', async () => {
    const c = new Client(server.url);
    for (const p of ['/', '/structures', '/connexion']) {
      const res = await c.get(p, { headers: FR });
      assert.ok(frenchIn(res.text, data).length > 0, `no French found in the French page ${p}`);
    }
  });

  test('anonymous pages in English', async () => {
    const c = new Client(server.url);
    const problems = [];
    for (const p of pages) {
      const res = await c.get(p, { headers: EN });
      assert.ok([200, 400, 404, 422].includes(res.status), `${p}: status ${res.status}`);
      assert.match(res.text, /<html lang="en">/, `${p} is not in English`);
      for (const f of frenchIn(res.text, data)) problems.push(`${p} (${res.status}): ${f}`);
    }
    assert.deepEqual(problems, [], `French text in English pages:\n${problems.join('\n')}`);
  });

  test('the login page with an error, in English', async () => {
    const c = new Client(server.url, { headers: EN });
    const res = await c.post('/connexion', { login: 'admin', password: 'not-the-password' }, { csrfFrom: '/connexion' });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.deepEqual(frenchIn(res.text, data), []);
  });
});

// ---- messages with values, and the pages behind a login ----------------------------------

describe('English messages with values and logged-in pages', () => {
  const TOKEN_NAME = 'annual report';
  let admin;
  let data;
  before(async () => {
    admin = new Client(server.url, { headers: EN });
    await login(admin, DEMO.admin.login, DEMO.admin.password);
    const users = (await admin.get('/api/v1/users?per_page=100')).json().items;
    data = await dataStrings(admin, [TOKEN_NAME, ...users.flatMap((u) => [u.login, u.display_name, u.email])]);
  });

  test('a 422 from the structures API with a number in it is in English, field and detail', async () => {
    const body = { name: 'x'.repeat(201), type: 'cinema', commune_code: '59350' };
    const en = await admin.postJson('/api/v1/structures', body);
    assert.equal(en.status, 422);
    const pe = en.json();
    assert.equal(pe.title, 'Invalid data');
    assert.equal(pe.detail, 'The name must be at most 200 characters long.');
    assert.deepEqual(pe.errors, { name: 'The name must be at most 200 characters long.' });
    const pf = (await admin.postJson('/api/v1/structures', body, { headers: FR })).json();
    assert.equal(pf.title, 'Données invalides');
    assert.equal(pf.detail, 'Le nom doit comporter au plus 200 caractères.');
  });

  test('a field label inside a message is translated too (coordination API)', async () => {
    const res = await admin.put('/api/v1/coordinations/hors-cadre', { phone: '03\u0001' });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json().errors, { phone: 'Phone: control characters are not allowed.' });
  });

  test('form errors with values, in English pages with no French', async () => {
    const forms = [
      ['/structures', { name: 'x'.repeat(201), type: 'cinema', commune_code: '59350' }, /The name must be at most 200 characters long\./],
      ['/structures', { name: 'Test', type: 'cinema', commune_code: '59350', phone: '1'.repeat(301) }, /The phone number must be at most 300 characters long\./],
      ['/admin/utilisateurs', { login: 'ab', display_name: 'X', role: 'participant', password: 'abcdefghijkl' }, /The username must be at least 3 characters long\./],
      ['/admin/utilisateurs', { login: 'abc', display_name: '', role: 'nope', password: '' }, /Choose a role from the list\./],
      ['/coordinations', { name: 'z'.repeat(161), kind: 'regional' }, /Name: 160 characters at most\./],
    ];
    const problems = [];
    for (const [p, form, message] of forms) {
      const res = await admin.post(p, form);
      assert.equal(res.status, 422, `${p}: status ${res.status}`);
      assert.match(res.text, message);
      for (const f of frenchIn(res.text, data)) problems.push(`POST ${p}: ${f}`);
    }
    assert.deepEqual(problems, [], `French text in English pages:\n${problems.join('\n')}`);
  });

  test('pages behind a login in English: account with a new token, users, forms, counts', async () => {
    const created = await admin.post('/compte/jetons', { name: TOKEN_NAME });
    assert.equal(created.status, 201);
    assert.match(created.text, /Token “annual report”/);
    const firstStructure = (await admin.get('/api/v1/structures?per_page=1')).json().items[0];
    const problems = [];
    for (const p of [
      '/compte',
      '/admin/utilisateurs',
      '/admin/utilisateurs/nouveau',
      '/structures/nouvelle',
      `/structures/${firstStructure.id}/supprimer`,
      '/coordinations/nouvelle',
      '/coordinations/hors-cadre/modifier',
    ]) {
      const res = await admin.get(p);
      assert.equal(res.status, 200, `${p}: status ${res.status}`);
      for (const f of frenchIn(res.text, data)) problems.push(`${p}: ${f}`);
    }
    assert.deepEqual(problems, [], `French text in English pages:\n${problems.join('\n')}`);
    assert.match((await admin.get('/compte')).text, /aria-label="Revoke the token “annual report”"/);
    assert.match((await admin.get(`/structures/${firstStructure.id}/supprimer`)).text, /Delete the organisation .+\? This cannot be undone\./);
  });

  test('counts and page numbers are whole sentences in both languages', async () => {
    const anon = new Client(server.url);
    const total = (await anon.get('/api/v1/structures?per_page=1')).json().total;
    const pages = Math.ceil(total / 20);
    const en = (await anon.get('/structures?page=2', { headers: EN })).text;
    assert.match(en, new RegExp(`${total} organisations · Page 2 of ${pages}`));
    const fr = (await anon.get('/structures?page=2', { headers: FR })).text;
    assert.match(fr, new RegExp(`${total} structures · Page 2 sur ${pages}`));
    // French puts 0 in the singular, English does not: each has its own message
    const none = (await anon.get('/coordinations', { headers: EN })).text;
    const noneFr = (await anon.get('/coordinations', { headers: FR })).text;
    assert.ok(/No organisations|\d+ organisations|1 organisation\b/.test(none));
    assert.doesNotMatch(none, /\b0 organisation/);
    assert.doesNotMatch(noneFr, /\b0 structure/);
  });
});
