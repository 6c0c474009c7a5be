// The JSON API of workshop groups and logbooks: a supervisor with a personal API token creates a
// group, records participants (one with an account) and their consents (both boxes under 15,
// a withdrawal in the history), reads the audit log; a protected group refuses a wider
// visibility (422) and answers 404 to everyone outside its circle on every endpoint; entries
// written by the supervisor are published, a participant's wait for approval; edits, soft
// deletion and its undoing (410 past 30 days); participants' names reach no one outside the
// group's circle. Every answer is checked against static/openapi.json.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, login, runCli, startServer } from './lib/server.mjs';

const OTHER = { login: 'autre-encadrant-api', password: 'autre-encadrant-mdp' };
const MALO = { login: 'malo-api', password: 'malo-mot-de-passe' };

const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));

let server;
let sup; // the demo supervisor, by cookie
let token; // the demo supervisor's personal API token
let bearer; // a client without cookies, sending token
let anon;
let jeune; // the demo participant: a signed-in member of the network, outside our groups
let other; // a supervisor of no group of ours
let coord; // the demo coordinator (hors-cadre, the territory of the supervisor's structure)
let malo; // the participant account created through the API

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', OTHER.login, '--name', 'Autre encadrant (API)', '--role', 'supervisor', '--password', OTHER.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${OTHER.login}: ${add.stderr}`);
    },
  });
  sup = await clientAs(server, 'supervisor');
  anon = await clientAs(server, 'anonymous');
  jeune = await clientAs(server, 'participant');
  coord = await clientAs(server, 'coordinator');
  other = new Client(server.url);
  await login(other, OTHER.login, OTHER.password);
  await other.csrf('/');
  const page = await sup.post('/compte/jetons', { name: 'API des groupes' }, { csrfFrom: '/compte' });
  assert.equal(page.status, 201, page.text.slice(0, 400));
  token = page.text.match(/lnt_[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(token, 'the new token is shown on the account page');
  bearer = new Client(server.url);
});

after(async () => {
  if (!server) return;
  const end = await server.stop();
  // under AddressSanitizer a leak or a memory error shows here
  assert.ok(!/Sanitizer|runtime error/.test(server.logs()), server.logs().slice(-3000));
  assert.equal(end.code, 0, `the server exited with ${end.code ?? end.signal}`);
});

// ---- the document's schemas --------------------------------------------------------------

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

/** The subset of JSON Schema the document uses; undocumented members of answers are errors. */
function validate(schema, value, where = '$') {
  const errors = [];
  if (!schema || schema === true) return errors;
  if (schema.$ref) return validate(resolve(schema.$ref), value, where);
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, where).length === 0)) {
    return [`${where}: matches none of anyOf`];
  }
  if (schema.type !== undefined) {
    const types = [].concat(schema.type);
    const t = typeOf(value);
    if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) return [`${where}: ${t}, expected ${types}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) {
    errors.push(`${where}: ${value} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: > ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${where}[${i}]`)));
  if (typeOf(value) === 'object') {
    for (const k of schema.required || []) if (!(k in value)) errors.push(`${where}: missing ${k}`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...validate(props[k], v, `${where}.${k}`));
      else if (schema.properties && schema.additionalProperties === undefined) errors.push(`${where}: undocumented member ${k}`);
    }
  }
  return errors;
}

/** Asserts the answer's status, that the document gives it for the operation, and that the
 * body conforms; returns the body. */
function expectDoc(res, status, method, docPath, what = `${method.toUpperCase()} ${docPath}`) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 500)}`);
  const op = doc.paths[docPath]?.[method];
  assert.ok(op, `${what}: not documented`);
  let r = op.responses[String(status)];
  assert.ok(r, `${what}: ${status} not documented`);
  if (r.$ref) r = resolve(r.$ref);
  if (status === 201) assert.ok(res.location, `${what}: Location`);
  const ctype = res.contentType.split(';')[0];
  const media = r.content?.[ctype];
  assert.ok(media, `${what}: ${ctype} not documented for ${status}`);
  const body = res.json();
  const errors = validate(media.schema, body);
  assert.deepEqual(errors, [], `${what}: ${errors.join('\n')}\n${res.text.slice(0, 600)}`);
  return body;
}

/** A 404 problem, the same whether the thing is missing or hidden. */
function expect404(res, what) {
  assert.equal(res.status, 404, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(res.contentType, /^application\/problem\+json/, what);
  return res.json().detail;
}

const daysAgo = (n) => new Date(Date.now() - n * 86400 * 1000).toISOString().slice(0, 10);

/** Runs SQL on the server's database (sqlite3, or psql on PostgreSQL). */
function sql(statement) {
  const [cmd, args] = server.databaseUrl
    ? ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.databaseUrl, '-c', statement]]
    : ['sqlite3', [path.join(server.dataDir, 'lanterne.db'), statement]];
  const out = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(out.status, 0, `${cmd}: ${out.stderr}`);
}

// ---- groups, participants, consents -------------------------------------------------------

describe('a supervisor runs a group through the API', () => {
  let slug;
  let structure;
  const ids = {};

  test('POST /api/v1/groups with a Bearer token: 201, Location, the group as stored', async () => {
    const me = await bearer.get('/api/v1/me', { auth: token });
    assert.equal(me.status, 200);
    structure = me.json().structures[0];
    assert.ok(structure, 'the demo supervisor works in a structure');
    const res = await bearer.postJson('/api/v1/groups', {
      title: 'Atelier Écran Libre',
      year: 2026,
      structure_id: structure,
      status: 'in_progress',
      visibility: 'public',
      facilitators: ['Camille Martin', ' ', 'Yun Park'],
      description: 'Un court métrage de fiction.',
    }, { auth: token });
    const g = expectDoc(res, 201, 'post', '/api/v1/groups');
    slug = g.slug;
    assert.equal(res.location, `/api/v1/groups/${slug}`);
    assert.equal(g.title, 'Atelier Écran Libre');
    assert.deepEqual(g.facilitators, ['Camille Martin', 'Yun Park']);
    assert.equal(g.visibility, 'public');
    assert.equal(g.structure.id, structure);
    assert.equal(g.coordination?.slug, 'hors-cadre');
    assert.equal(g.can_manage, true);
    assert.deepEqual(g.participants, []);
    const again = await anon.get(res.location);
    assert.equal(expectDoc(again, 200, 'get', '/api/v1/groups/{slug}').id, g.id);
  });

  test('creation refusals: 401 without credentials, 403 for a participant, 422 naming the field', async () => {
    const noAuth = await new Client(server.url).postJson('/api/v1/groups', { title: 'x' }, { csrf: false });
    expectDoc(noAuth, 401, 'post', '/api/v1/groups');
    expectDoc(await jeune.postJson('/api/v1/groups', { title: 'x' }), 403, 'post', '/api/v1/groups');
    let p = expectDoc(await bearer.postJson('/api/v1/groups', { year: 2026, structure_id: structure }, { auth: token }), 422, 'post', '/api/v1/groups');
    assert.ok(p.errors?.title, 'errors.title');
    p = expectDoc(await bearer.postJson('/api/v1/groups', { title: 'Sans année', year: '2026', structure_id: structure, is_protected: 'oui' }, { auth: token }), 422, 'post', '/api/v1/groups');
    assert.ok(p.errors?.year && p.errors?.is_protected, JSON.stringify(p.errors));
    p = expectDoc(await bearer.postJson('/api/v1/groups', { title: 'Trop tôt', year: 1990, structure_id: structure }, { auth: token }), 422, 'post', '/api/v1/groups');
    assert.ok(p.errors?.year);
    p = expectDoc(await bearer.postJson('/api/v1/groups', { title: 'Doublon', slug, year: 2026, structure_id: structure }, { auth: token }), 409, 'post', '/api/v1/groups');
    assert.ok(p.errors?.slug);
  });

  test('GET /api/v1/groups: filters, paging envelope, accents and case ignored', async () => {
    let body = expectDoc(await anon.get('/api/v1/groups?q=ECRAN%20libre'), 200, 'get', '/api/v1/groups');
    assert.deepEqual(body.items.map((g) => g.slug), [slug]);
    assert.equal(body.total, 1);
    assert.equal(body.page, 1);
    assert.equal(body.per_page, 20);
    body = expectDoc(await anon.get(`/api/v1/groups?coordination=hors-cadre&year=2026&status=in_progress&structure=${structure}&per_page=100`), 200, 'get', '/api/v1/groups');
    assert.ok(body.items.some((g) => g.slug === slug));
    body = expectDoc(await anon.get('/api/v1/groups?year=2025&q=ecran'), 200, 'get', '/api/v1/groups');
    assert.equal(body.total, 0);
    for (const q of ['per_page=0', 'per_page=101', 'year=abc', 'status=bogus', 'coordination=nulle-part', 'structure=abc']) {
      expectDoc(await anon.get(`/api/v1/groups?${q}`), 400, 'get', '/api/v1/groups', q);
    }
  });

  test('participants: recorded with and without an account, listed, read, changed', async () => {
    const base = `/api/v1/groups/${slug}/participants`;
    let res = await sup.postJson(base, { display_name: 'Inès', age_band: '12-14' });
    let p = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/participants');
    assert.equal(res.location, `${base}/${p.id}`);
    assert.equal(p.under15, true);
    assert.equal(p.consent_level, 'none');
    assert.equal(p.consent, null);
    ids.ines = p.id;
    res = await bearer.postJson(base, { display_name: 'Malo', age_band: '15-17', account: MALO }, { auth: token });
    p = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/participants');
    assert.equal(p.account?.login, MALO.login);
    ids.malo = p.id;
    res = await sup.postJson(base, { display_name: 'Zoé', age_band: '18-25' });
    ids.zoe = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/participants').id;

    // refusals: a band that contradicts the flag, a login taken, a bad account member
    p = expectDoc(await sup.postJson(base, { display_name: 'Léa', age_band: '15-17', under15: true }), 422, 'post', '/api/v1/groups/{slug}/participants');
    assert.ok(p.errors?.under15);
    p = expectDoc(await sup.postJson(base, { display_name: 'Léa', age_band: '15-17', account: MALO }), 409, 'post', '/api/v1/groups/{slug}/participants');
    assert.ok(p.errors?.['account.login'], JSON.stringify(p.errors));
    p = expectDoc(await sup.postJson(base, { display_name: 'Léa', age_band: '15-17', account: 'lea' }), 422, 'post', '/api/v1/groups/{slug}/participants');
    assert.ok(p.errors?.account);

    const list = expectDoc(await sup.get(base), 200, 'get', '/api/v1/groups/{slug}/participants');
    assert.deepEqual(list.items.map((x) => x.display_name), ['Inès', 'Malo', 'Zoé'], 'nothing half-stored by the refusals');
    assert.equal(list.total, 3);
    const one = expectDoc(await sup.get(`${base}/${ids.zoe}`), 200, 'get', '/api/v1/groups/{slug}/participants/{id}');
    assert.equal(one.age_band_label, '18 à 25 ans');
    const changed = expectDoc(await sup.put(`${base}/${ids.zoe}`, { display_name: 'Zoé B.' }), 200, 'put', '/api/v1/groups/{slug}/participants/{id}');
    assert.equal(changed.display_name, 'Zoé B.');
    assert.equal(changed.age_band, '18-25');
    const dup = expectDoc(await sup.put(`${base}/${ids.malo}`, { account: { login: 'malo-bis', password: 'malo-mot-de-passe' } }), 409, 'put', '/api/v1/groups/{slug}/participants/{id}');
    assert.ok(dup.errors?.account);
    expect404(await sup.get(`${base}/999999999`), 'unknown participant');

    malo = new Client(server.url);
    await login(malo, MALO.login, MALO.password);
    await malo.csrf('/');
  });

  test('participants and consents are for the managers: participant 403, other supervisor 403, anonymous 401', async () => {
    const base = `/api/v1/groups/${slug}/participants`;
    expectDoc(await malo.get(base), 403, 'get', '/api/v1/groups/{slug}/participants', 'the participant account');
    expectDoc(await jeune.get(base), 403, 'get', '/api/v1/groups/{slug}/participants', 'another participant');
    expectDoc(await other.get(base), 403, 'get', '/api/v1/groups/{slug}/participants', 'another supervisor');
    expectDoc(await other.postJson(base, { display_name: 'Intrus', age_band: '15-17' }), 403, 'post', '/api/v1/groups/{slug}/participants', 'another supervisor');
    expectDoc(await other.get(`${base}/${ids.ines}/consents`), 403, 'get', '/api/v1/groups/{slug}/participants/{id}/consents', 'another supervisor');
    expectDoc(await other.get(`/api/v1/groups/${slug}/audit`), 403, 'get', '/api/v1/groups/{slug}/audit', 'another supervisor');
    expectDoc(await anon.get(base), 401, 'get', '/api/v1/groups/{slug}/participants', 'anonymous');
    expectDoc(await coord.get(base), 200, 'get', '/api/v1/groups/{slug}/participants', 'the coordination');
  });

  test('consents: under 15 with one box → 422 with the French reason; both boxes → 201', async () => {
    const url = `/api/v1/groups/${slug}/participants/${ids.ines}/consents`;
    let p = expectDoc(await sup.postJson(url, { level: 'public', parent_agreed: true, signed_on: daysAgo(10) }), 422, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.match(p.errors?.young_agreed || '', /moins de 15 ans/, JSON.stringify(p));
    p = expectDoc(await sup.postJson(url, { level: 'public', young_agreed: true, signed_on: daysAgo(10) }), 422, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.match(p.errors?.parent_agreed || '', /moins de 15 ans|parent/, JSON.stringify(p));
    p = expectDoc(await sup.postJson(url, { parent_agreed: true }), 422, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.ok(p.errors?.level);
    p = expectDoc(await sup.postJson(url, { level: 'public', parent_agreed: 'oui' }), 422, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.ok(p.errors?.parent_agreed);

    const res = await sup.postJson(url, { level: 'public', parent_agreed: true, young_agreed: true, signed_on: daysAgo(10), note: 'Formulaire papier du 3 mars' });
    const c = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.equal(res.location, url);
    assert.equal(c.level, 'public');
    assert.equal(c.effective_level, 'public');
    assert.equal(c.young_agreed, true);
    assert.equal(c.signed_on, daysAgo(10));
    assert.equal(c.expires_on, null);
    // Zoé (adult) agrees to the network, Malo to the group only
    expectDoc(await sup.postJson(`/api/v1/groups/${slug}/participants/${ids.zoe}/consents`, { level: 'network', parent_agreed: true, signed_on: daysAgo(5), expires_on: '2099-12-31' }), 201, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    expectDoc(await sup.postJson(`/api/v1/groups/${slug}/participants/${ids.malo}/consents`, { level: 'group', parent_agreed: true, signed_on: daysAgo(5) }), 201, 'post', '/api/v1/groups/{slug}/participants/{id}/consents');
    const ines = expectDoc(await sup.get(`/api/v1/groups/${slug}/participants/${ids.ines}`), 200, 'get', '/api/v1/groups/{slug}/participants/{id}');
    assert.equal(ines.consent_level, 'public');
    assert.equal(ines.consent?.id, c.id);
  });

  test('a withdrawal is appended: newest first in the history, nothing left to withdraw after it', async () => {
    const base = `/api/v1/groups/${slug}/participants/${ids.ines}/consents`;
    const res = await bearer.postJson(`${base}/withdraw`, { note: 'Retrait demandé par la famille' }, { auth: token });
    const w = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/participants/{id}/consents/withdraw');
    assert.equal(w.withdrawn, true);
    assert.equal(w.level, 'none');
    const hist = expectDoc(await sup.get(base), 200, 'get', '/api/v1/groups/{slug}/participants/{id}/consents');
    assert.equal(hist.total, 2);
    assert.equal(hist.items[0].id, w.id);
    assert.equal(hist.items[0].withdrawn, true);
    assert.equal(hist.items[0].note, 'Retrait demandé par la famille');
    assert.equal(hist.items[0].supersedes_id, hist.items[1].id);
    assert.equal(hist.items[1].level, 'public');
    // an empty body is fine too, but nothing is in force any more
    const again = await sup.request('POST', `${base}/withdraw`, {});
    expectDoc(again, 409, 'post', '/api/v1/groups/{slug}/participants/{id}/consents/withdraw');
    const ines = expectDoc(await sup.get(`/api/v1/groups/${slug}/participants/${ids.ines}`), 200, 'get', '/api/v1/groups/{slug}/participants/{id}');
    assert.equal(ines.consent_level, 'none');
  });

  test('the audit log: consents and the withdrawal, newest first, for the group and its coordination', async () => {
    const log = expectDoc(await coord.get(`/api/v1/groups/${slug}/audit`), 200, 'get', '/api/v1/groups/{slug}/audit');
    const subjects = log.items.map((x) => `${x.subject}:${x.participant?.display_name ?? ''}`);
    assert.equal(subjects[0], 'consent_withdrawal:Inès');
    assert.ok(subjects.includes('consent:Inès'));
    assert.ok(subjects.includes('group_visibility:'));
    assert.equal(log.items[0].actor?.login, 'encadrant');
    assert.equal(log.items[0].before, 'public');
    assert.equal(log.items[0].after, 'none');
    expectDoc(await sup.get(`/api/v1/groups/${slug}/audit?per_page=2`), 200, 'get', '/api/v1/groups/{slug}/audit');
    expectDoc(await malo.get(`/api/v1/groups/${slug}/audit`), 403, 'get', '/api/v1/groups/{slug}/audit');
  });

  test('PUT /api/v1/groups/{slug}: partial update, round trip of a fetched group, audit of the visibility', async () => {
    const url = `/api/v1/groups/${slug}`;
    let g = expectDoc(await sup.put(url, { description: 'Fiction tournée au centre social.' }), 200, 'put', '/api/v1/groups/{slug}');
    assert.equal(g.description, 'Fiction tournée au centre social.');
    assert.equal(g.title, 'Atelier Écran Libre');
    const fetched = (await sup.get(url)).json();
    g = expectDoc(await sup.put(url, fetched), 200, 'put', '/api/v1/groups/{slug}', 'round trip');
    assert.equal(g.updated_at >= fetched.updated_at, true);
    g = expectDoc(await sup.put(url, { visibility: 'network' }), 200, 'put', '/api/v1/groups/{slug}');
    assert.equal(g.visibility, 'network');
    const log = (await sup.get(`${url}/audit`)).json();
    assert.equal(log.items[0].subject, 'group_visibility');
    assert.equal(log.items[0].before, 'public');
    assert.equal(log.items[0].after, 'network');
    expect404(await anon.get(url), 'a network page, anonymous');
    expectDoc(await jeune.get(url), 200, 'get', '/api/v1/groups/{slug}', 'a network page, a member of the network');
    expectDoc(await other.put(url, { title: 'Volé' }), 403, 'put', '/api/v1/groups/{slug}');
    g = expectDoc(await sup.put(url, { visibility: 'public' }), 200, 'put', '/api/v1/groups/{slug}');
    assert.equal(g.visibility, 'public');
  });

  test('participants\' names only for the group\'s circle', async () => {
    const url = `/api/v1/groups/${slug}`;
    const inside = expectDoc(await sup.get(url), 200, 'get', '/api/v1/groups/{slug}');
    assert.deepEqual(inside.participants.map((p) => p.display_name), ['Inès', 'Malo', 'Zoé B.']);
    assert.ok(Array.isArray(expectDoc(await malo.get(url), 200, 'get', '/api/v1/groups/{slug}').participants), 'a participant of the group');
    assert.ok(Array.isArray(expectDoc(await coord.get(url), 200, 'get', '/api/v1/groups/{slug}').participants), 'its coordination');
    for (const [who, client] of [['anonymous', anon], ['a member of the network', jeune], ['another supervisor', other]]) {
      const res = await client.get(url);
      const g = expectDoc(res, 200, 'get', '/api/v1/groups/{slug}', who);
      assert.equal(g.participants, null, who);
      for (const name of ['Inès', 'Malo', 'Zoé']) assert.ok(!res.text.includes(name), `${who} reads ${name}`);
    }
  });

  // ---- the logbook ----------------------------------------------------------------------

  describe('entries', () => {
    let supEntry;
    let maloEntry;

    test('a supervisor\'s entry is published at once, Markdown rendered safely', async () => {
      const res = await bearer.postJson(`/api/v1/groups/${slug}/entries`, {
        title: 'Premier tournage',
        body_md: 'Nous avons **tourné**.\n\n<script>alert(1)</script>\n\n[piège](javascript:alert(1))',
        visibility: 'public',
        entry_date: '2026-03-02',
      }, { auth: token });
      const en = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/entries');
      supEntry = en.id;
      assert.equal(res.location, `/api/v1/entries/${en.id}`);
      assert.equal(en.status, 'published');
      assert.equal(en.entry_date, '2026-03-02');
      assert.match(en.body_html, /<strong>tourné<\/strong>/);
      assert.doesNotMatch(en.body_html, /<script|javascript:/);
      assert.equal(en.author.name, 'Yanis Encadrant (démo)');
      const seen = expectDoc(await anon.get(res.location), 200, 'get', '/api/v1/entries/{id}');
      assert.equal(seen.author.name, 'Yanis Encadrant (démo)', 'an adult supervisor is named to everyone');
      let p = expectDoc(await sup.postJson(`/api/v1/groups/${slug}/entries`, { body_md: 'Sans titre' }), 422, 'post', '/api/v1/groups/{slug}/entries');
      assert.ok(p.errors?.title);
      p = expectDoc(await sup.postJson(`/api/v1/groups/${slug}/entries`, { title: 3 }), 422, 'post', '/api/v1/groups/{slug}/entries');
      assert.ok(p.errors?.title);
      expectDoc(await jeune.postJson(`/api/v1/groups/${slug}/entries`, { title: 'Intrus' }), 403, 'post', '/api/v1/groups/{slug}/entries', 'a participant of another group');
    });

    test('a participant\'s entry waits: invisible to others until a manager approves it', async () => {
      const res = await malo.postJson(`/api/v1/groups/${slug}/entries`, { title: 'Mon carnet', body_md: 'Le *son* était bon.', visibility: 'public' });
      const en = expectDoc(res, 201, 'post', '/api/v1/groups/{slug}/entries');
      maloEntry = en.id;
      assert.equal(en.status, 'pending');
      expect404(await anon.get(`/api/v1/entries/${en.id}`), 'pending, anonymous');
      expect404(await jeune.get(`/api/v1/entries/${en.id}`), 'pending, network');
      let list = expectDoc(await anon.get(`/api/v1/groups/${slug}/entries`), 200, 'get', '/api/v1/groups/{slug}/entries');
      assert.ok(!list.items.some((x) => x.id === en.id), 'not listed for anonymous visitors');
      list = expectDoc(await sup.get(`/api/v1/groups/${slug}/entries`), 200, 'get', '/api/v1/groups/{slug}/entries');
      assert.ok(list.items.some((x) => x.id === en.id && x.status === 'pending'), 'listed for the manager');
      expectDoc(await malo.get(`/api/v1/entries/${en.id}`), 200, 'get', '/api/v1/entries/{id}', 'its author');
      expectDoc(await malo.postJson(`/api/v1/entries/${en.id}/approve`, {}), 403, 'post', '/api/v1/entries/{id}/approve', 'its author');
      expectDoc(await other.postJson(`/api/v1/entries/${supEntry}/approve`, {}), 403, 'post', '/api/v1/entries/{id}/approve', 'another supervisor');
      const ok = expectDoc(await sup.postJson(`/api/v1/entries/${en.id}/approve`, {}), 200, 'post', '/api/v1/entries/{id}/approve');
      assert.equal(ok.status, 'published');
      expectDoc(await anon.get(`/api/v1/entries/${en.id}`), 200, 'get', '/api/v1/entries/{id}', 'approved, anonymous');
    });

    test('a participant author is named only inside the group\'s circle', async () => {
      const inside = expectDoc(await sup.get(`/api/v1/entries/${maloEntry}`), 200, 'get', '/api/v1/entries/{id}');
      assert.equal(inside.author.name, 'Malo');
      assert.equal(expectDoc(await malo.get(`/api/v1/entries/${maloEntry}`), 200, 'get', '/api/v1/entries/{id}').author.name, 'Malo');
      for (const [who, client] of [['anonymous', anon], ['a member of the network', jeune], ['another supervisor', other]]) {
        const one = await client.get(`/api/v1/entries/${maloEntry}`);
        const en = expectDoc(one, 200, 'get', '/api/v1/entries/{id}', who);
        assert.deepEqual(en.author, { id: null, name: null }, who);
        const list = await client.get(`/api/v1/groups/${slug}/entries`);
        expectDoc(list, 200, 'get', '/api/v1/groups/{slug}/entries', who);
        assert.ok(!list.text.includes('Malo') && !one.text.includes('Malo'), `${who} reads the participant's name`);
        assert.ok(list.text.includes('Yanis Encadrant'), `${who} reads the supervisor's name`);
      }
    });

    test('PUT: partial edit; a participant\'s edit goes back to approval; others 403', async () => {
      let en = expectDoc(await sup.put(`/api/v1/entries/${supEntry}`, { title: 'Premier jour de tournage' }), 200, 'put', '/api/v1/entries/{id}');
      assert.equal(en.title, 'Premier jour de tournage');
      assert.match(en.body_md, /tourné/);
      en = expectDoc(await malo.put(`/api/v1/entries/${maloEntry}`, { body_md: 'Le *son* était très bon.' }), 200, 'put', '/api/v1/entries/{id}');
      assert.equal(en.status, 'pending');
      expect404(await anon.get(`/api/v1/entries/${maloEntry}`), 'back to approval');
      expectDoc(await malo.put(`/api/v1/entries/${supEntry}`, { title: 'Pris' }), 403, 'put', '/api/v1/entries/{id}', 'not its author');
      expectDoc(await sup.put(`/api/v1/entries/${supEntry}`, { visibility: 'nowhere' }), 422, 'put', '/api/v1/entries/{id}');
      expectDoc(await sup.postJson(`/api/v1/entries/${maloEntry}/approve`, {}), 200, 'post', '/api/v1/entries/{id}/approve');
    });

    test('DELETE is soft and can be undone; 409 when not deleted; 410 past 30 days', async () => {
      const url = `/api/v1/entries/${supEntry}`;
      const del = expectDoc(await sup.delete(url), 200, 'delete', '/api/v1/entries/{id}');
      assert.ok(del.deleted_at && del.restorable_until, 'deletion times');
      expect404(await anon.get(url), 'deleted, anonymous');
      const list = (await anon.get(`/api/v1/groups/${slug}/entries`)).json();
      assert.ok(!list.items.some((x) => x.id === supEntry), 'no longer listed');
      expectDoc(await sup.get(url), 200, 'get', '/api/v1/entries/{id}', 'deleted, its manager');
      expect404(await sup.put(url, { title: 'Non' }), 'editing a deleted entry');
      expect404(await malo.postJson(`${url}/restore`, {}), 'a deleted entry, not its author');
      const back = expectDoc(await sup.postJson(`${url}/restore`, {}), 200, 'post', '/api/v1/entries/{id}/restore');
      assert.equal(back.deleted_at, null);
      expectDoc(await anon.get(url), 200, 'get', '/api/v1/entries/{id}', 'restored');
      expectDoc(await sup.postJson(`${url}/restore`, {}), 409, 'post', '/api/v1/entries/{id}/restore', 'not deleted');

      // the author deletes their own; 31 days later it stays deleted
      expectDoc(await malo.delete(`/api/v1/entries/${maloEntry}`), 200, 'delete', '/api/v1/entries/{id}');
      sql(`UPDATE entries SET deleted_at = deleted_at - ${31 * 86400} WHERE id = ${maloEntry}`);
      const gone = expectDoc(await malo.postJson(`/api/v1/entries/${maloEntry}/restore`, {}), 410, 'post', '/api/v1/entries/{id}/restore');
      assert.match(gone.detail, /30 jours/);
    });

    test('unknown entries and bad ids: 404', async () => {
      for (const id of ['999999999', 'abc', '0', '-1']) expect404(await anon.get(`/api/v1/entries/${id}`), id);
      expect404(await anon.get('/api/v1/groups/groupe-inexistant/entries'), 'unknown group');
    });
  });
});

// ---- protected groups ----------------------------------------------------------------------

describe('a protected group', () => {
  let slug;
  let pid;
  let entry;
  let notFound;

  test('is created protected and refuses any visibility beyond the group (422)', async () => {
    const me = (await sup.get('/api/v1/me')).json();
    let res = await sup.postJson('/api/v1/groups', { title: 'Atelier protégé API', year: 2026, structure_id: me.structures[0], is_protected: true, visibility: 'public' });
    let p = expectDoc(res, 422, 'post', '/api/v1/groups', 'protected and public');
    assert.ok(p.errors?.visibility);
    res = await sup.postJson('/api/v1/groups', { title: 'Atelier protégé API', year: 2026, structure_id: me.structures[0], is_protected: true });
    const g = expectDoc(res, 201, 'post', '/api/v1/groups');
    slug = g.slug;
    assert.equal(g.is_protected, true);
    assert.equal(g.visibility, 'group');
    for (const visibility of ['public', 'network']) {
      p = expectDoc(await sup.put(`/api/v1/groups/${slug}`, { visibility }), 422, 'put', '/api/v1/groups/{slug}', visibility);
      assert.match(p.errors?.visibility || '', /protégé/);
    }
    p = expectDoc(await sup.put(`/api/v1/groups/${slug}`, { is_protected: false }), 403, 'put', '/api/v1/groups/{slug}', 'lifting the protection');
    assert.ok(p.errors?.is_protected);
    assert.equal((await sup.get(`/api/v1/groups/${slug}`)).json().visibility, 'group');
    pid = expectDoc(await sup.postJson(`/api/v1/groups/${slug}/participants`, { display_name: 'Sami', age_band: '15-17' }), 201, 'post', '/api/v1/groups/{slug}/participants').id;
    p = expectDoc(await sup.postJson(`/api/v1/groups/${slug}/entries`, { title: 'Séance', visibility: 'public' }), 422, 'post', '/api/v1/groups/{slug}/entries');
    assert.ok(p.errors?.visibility);
    entry = expectDoc(await sup.postJson(`/api/v1/groups/${slug}/entries`, { title: 'Séance' }), 201, 'post', '/api/v1/groups/{slug}/entries').id;
    notFound = expect404(await anon.get('/api/v1/groups/groupe-inexistant'), 'no such group');
  });

  test('answers 404, as for no group at all, to anonymous visitors, members of the network and other supervisors on every endpoint', async () => {
    const g = `/api/v1/groups/${slug}`;
    // [method, url, body, least role of the route]: below it the router answers 401 / 403
    // before looking at any group, which tells nothing about this one
    const reqs = [
      ['GET', g, null, 'A'],
      ['PUT', g, { title: 'x' }, 'S'],
      ['GET', `${g}/entries`, null, 'A'],
      ['POST', `${g}/entries`, { title: 'x' }, 'P'],
      ['GET', `${g}/participants`, null, 'S'],
      ['POST', `${g}/participants`, { display_name: 'x', age_band: '15-17' }, 'S'],
      ['GET', `${g}/participants/${pid}`, null, 'S'],
      ['PUT', `${g}/participants/${pid}`, { display_name: 'x' }, 'S'],
      ['GET', `${g}/participants/${pid}/consents`, null, 'S'],
      ['POST', `${g}/participants/${pid}/consents`, { level: 'group' }, 'S'],
      ['POST', `${g}/participants/${pid}/consents/withdraw`, {}, 'S'],
      ['GET', `${g}/audit`, null, 'S'],
      ['GET', `/api/v1/entries/${entry}`, null, 'A'],
      ['PUT', `/api/v1/entries/${entry}`, { title: 'x' }, 'P'],
      ['DELETE', `/api/v1/entries/${entry}`, null, 'P'],
      ['POST', `/api/v1/entries/${entry}/restore`, {}, 'P'],
      ['POST', `/api/v1/entries/${entry}/approve`, {}, 'S'],
    ];
    const ORDER = 'APS';
    for (const [who, client, role] of [['anonymous', anon, 'A'], ['a member of the network', jeune, 'P'], ['another supervisor', other, 'S']]) {
      for (const [method, url, json, least] of reqs) {
        const res = await client.request(method, url, json ? { json } : {});
        const what = `${who}: ${method} ${url}`;
        if (ORDER.indexOf(role) < ORDER.indexOf(least)) {
          assert.equal(res.status, role === 'A' ? 401 : 403, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
        } else {
          expect404(res, what);
        }
      }
      assert.equal(expect404(await client.get(g), who), notFound, `${who}: the same 404 as no group`);
      assert.equal(expect404(await client.get(`/api/v1/entries/${entry}`), who),
        expect404(await client.get('/api/v1/entries/999999999'), who), `${who}: the same 404 as no entry`);
      const list = await client.get('/api/v1/groups?per_page=100&q=protege');
      assert.ok(!list.text.includes(slug), `${who}: not listed`);
    }
    // its circle sees it
    expectDoc(await coord.get(g), 200, 'get', '/api/v1/groups/{slug}', 'its coordination');
    expectDoc(await sup.get(`/api/v1/entries/${entry}`), 200, 'get', '/api/v1/entries/{id}', 'its supervisor');
  });
});
