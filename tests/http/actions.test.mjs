// Actions (issue 6, points 2 and 6): the public list with its filters and pages, an action's
// page, the one form page that creates and edits an action without JavaScript (communes typed
// one a line and resolved by the server, every validation message re-shown with 422 next to
// its field), deletion after a confirmation page, and the JSON API (every answer checked
// against static/openapi.json). Budgets reach only the action's coordinators and admins;
// a coordinator cannot change another coordination's action.
//
// One server (a copy of the init + demo fixture) for the file; the demo may hold actions of its
// own, so every count here is taken over what the tests create (a word of their titles, years
// the demo does not reach). The describe blocks build on each other in order.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, login, runCli, startServer } from './lib/server.mjs';

const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));
const FOREIGN = { login: 'coord-acap-actions', password: 'coord-acap-mot-de-passe' };

let server;
const who = {};
const s = {}; // what the tests learn and build

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', FOREIGN.login, '--name', 'Coordination Acap (tests)', '--role', 'coordinator',
          '--coordination', 'acap-pole-regional-image', '--password', FOREIGN.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${FOREIGN.login}: ${add.stderr}`);
    },
  });
  for (const role of ['anonymous', 'participant', 'supervisor', 'coordinator', 'admin']) {
    who[role] = await clientAs(server, role);
  }
  who.foreign = new Client(server.url);
  await login(who.foreign, FOREIGN.login, FOREIGN.password);
  await who.foreign.csrf('/');
  // the demo's hors-cadre structures, groups and films (the demo coordinator's territory)
  const st = await who.admin.get('/api/v1/structures?coordination=hors-cadre&per_page=100');
  assert.equal(st.status, 200);
  s.structures = st.json().items;
  assert.ok(s.structures.length >= 2, 'the demo has structures in hors-cadre');
  for (const slug of ['demo-lumieres-du-quartier', 'demo-atelier-animation', 'demo-portraits-sonores']) {
    const g = await who.admin.get(`/api/v1/groups/${slug}`);
    assert.equal(g.status, 200, `group ${slug}`);
    s[slug] = g.json().id;
  }
  const films = await who.admin.get('/api/v1/films?group=demo-lumieres-du-quartier');
  s.film = films.json().items[0];
  assert.ok(s.film?.id, 'the demo group has a film');
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

/** Asserts the status, that the document gives it for the operation, and that the body
 * conforms; returns the body (null for a 204). */
function expectDoc(res, status, method, docPath) {
  const what = `${method.toUpperCase()} ${docPath}`;
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 500)}`);
  const op = doc.paths[docPath]?.[method];
  assert.ok(op, `${what}: not documented`);
  let r = op.responses[String(status)];
  assert.ok(r, `${what}: ${status} not documented`);
  if (r.$ref) r = resolve(r.$ref);
  if (!r.content) {
    assert.equal(res.text, '', `${what}: no body documented`);
    return null;
  }
  if (status === 201) assert.ok(res.location, `${what}: Location`);
  const ctype = res.contentType.split(';')[0];
  const media = r.content[ctype];
  assert.ok(media, `${what}: ${ctype} not documented for ${status}`);
  const body = res.json();
  const errors = validate(media.schema, body);
  assert.deepEqual(errors, [], `${what}: ${errors.join('\n')}\n${res.text.slice(0, 600)}`);
  return body;
}

// ---- helpers ------------------------------------------------------------------------------

/** A complete, valid form for the demo coordinator, with overrides (pairs for repeats). */
function form(over = {}) {
  const base = {
    title: 'Atelier cinéma des Aubépines',
    description: 'Un court métrage de fiction tourné dans le quartier.',
    type: 'workshop_film',
    status: 'done',
    start_date: '2026-03-02',
    end_date: '2026-05-28',
    communes: 'Lille\nSaint-Denis (93)\n59512',
    rural: 'auto',
    lead_structure: String(s.structures[0].id),
    facilitators: 'Nadia Benali\nPaul Martin',
    participants_u12: '0',
    participants_12_17: '9',
    participants_18_25: '3',
    participants_o25: '',
    participants_female: '7',
    participants_male: '5',
    participants_other: '0',
    spectators: '120',
    practice_hours: '40',
    films_made: '1',
    budget_requested: '9 000',
    budget_granted: '7500',
    budget_cofunding: '1500',
  };
  const pairs = Object.entries({ ...base, ...over }).filter(([, v]) => v !== undefined && v !== null);
  for (const [k, v] of [['themes', 'youth'], ['themes', 'citizenship'], ['forms', 'fiction'], ['publics', 'qpv'],
    ['partners', String(s.structures[1].id)], ['groups', String(s['demo-lumieres-du-quartier'])], ['films', String(s.film.id)]]) {
    if (!(k in over)) pairs.push([k, v]);
  }
  return pairs;
}

function unescapeHtml(t) {
  return t.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The 422 page of a form: the field is marked invalid and its message is next to it. */
function expectFieldError(res, field, message, what) {
  assert.equal(res.status, 422, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  const text = unescapeHtml(res.text);
  const shown = text.match(new RegExp(`<p class="field-error"(?: id="fi-${field}-error")?>([^<]*)</p>`, 'g')) || [];
  assert.ok(text.includes(`href="#fi-${field}"`), `${what}: the summary links to the field ${field}`);
  assert.ok(shown.some((p) => message.test(p)), `${what}: message next to ${field}: ${shown.join(' | ') || '(none)'}`);
}

/** A valid API body, with overrides. */
function body(over = {}) {
  return {
    title: 'Séance plein air au parc',
    type: 'open_air',
    start_date: '2025-07-14',
    end_date: '2025-07-14',
    communes: ['59350'],
    spectators: 300,
    budget_requested: 2000,
    budget_granted: 1800,
    budget_cofunding: 0,
    ...over,
  };
}

// ---- the list, empty ----------------------------------------------------------------------

describe('the list of actions', () => {
  test('is public, says when none matches, and offers "Nouvelle action" to coordinators only', async () => {
    const anon = await who.anonymous.get('/actions');
    assert.equal(anon.status, 200);
    const none = await who.anonymous.get('/actions?q=introuvable-ici');
    assert.match(none.text, /Aucune action ne correspond à ces critères/);
    assert.doesNotMatch(anon.text, /href="\/actions\/nouvelle"/);
    assert.match(anon.text, /<a href="\/actions">Actions<\/a>/, 'the main navigation links to the actions');
    const sup = await who.supervisor.get('/actions');
    assert.doesNotMatch(sup.text, /href="\/actions\/nouvelle"/);
    for (const role of ['coordinator', 'admin']) {
      const res = await who[role].get('/actions');
      assert.match(res.text, /href="\/actions\/nouvelle">Nouvelle action/, role);
    }
  });
});

// ---- the form -----------------------------------------------------------------------------

describe('the form', () => {
  test("a coordinator's form offers the coordination's structures, groups and films", async () => {
    const res = await who.coordinator.get('/actions/nouvelle');
    assert.equal(res.status, 200);
    assert.match(res.text, /name="_csrf"/);
    assert.match(res.text, /Hors Cadre/);
    assert.ok(res.text.includes(`<option value="${s.structures[0].id}">`), 'lead structure options');
    assert.ok(res.text.includes(`name="partners" type="checkbox" value="${s.structures[1].id}"`), 'partner checkboxes');
    assert.ok(res.text.includes(`name="groups" type="checkbox" value="${s['demo-lumieres-du-quartier']}"`), 'group checkboxes');
    assert.ok(!res.text.includes(`name="groups" type="checkbox" value="${s['demo-portraits-sonores']}"`), 'no group of another territory');
    assert.ok(res.text.includes(`name="films" type="checkbox" value="${s.film.id}"`), 'film checkboxes');
    assert.doesNotMatch(res.text, /name="coordination_id"/, 'the coordination is fixed for a coordinator');
  });

  test('an admin first chooses the coordination, then gets the same form with a select', async () => {
    const step = await who.admin.get('/actions/nouvelle');
    assert.equal(step.status, 200);
    assert.match(step.text, /<form method="get" action="\/actions\/nouvelle"/);
    assert.doesNotMatch(step.text, /<form method="post" action="\/actions"/);
    const res = await who.admin.get('/actions/nouvelle?coordination=hors-cadre');
    assert.equal(res.status, 200);
    assert.match(res.text, /<select id="fi-coordination_id" name="coordination_id"/);
    assert.match(res.text, /<option value="\d+" selected>Hors Cadre<\/option>/);
    assert.ok(res.text.includes(`name="groups" type="checkbox" value="${s['demo-lumieres-du-quartier']}"`));
    const none = await who.admin.post('/actions', form());
    expectFieldError(none, 'coordination_id', /Choisissez la coordination/, 'admin without a coordination');
  });

  test('every validation message comes back with 422 next to its field, the values kept', async () => {
    const cases = [
      [{ title: '' }, 'title', /Le titre est obligatoire/],
      [{ title: 'x'.repeat(201) }, 'title', /Le titre/],
      [{ type: '' }, 'type', /Choisissez le type/],
      [{ status: 'lost' }, 'status', /Statut inconnu/],
      [{ rural: 'maybe' }, 'rural', /Valeur inconnue/],
      [{ start_date: '' }, 'start_date', /La date est obligatoire/],
      [{ start_date: '2026-13-45' }, 'start_date', /Une date AAAA-MM-JJ/],
      [{ end_date: '2026-01-01' }, 'end_date', /La fin ne peut pas précéder le début/],
      [{ end_date: '2028-06-01' }, 'end_date', /au plus 731 jours/],
      [{ communes: '' }, 'communes', /Indiquez au moins une commune/],
      [{ communes: 'Saint-Denis' }, 'communes', /Saint-Denis : précisez le département \(11, 30, 93, 974\)/],
      [{ communes: 'Saint-Denis (59)' }, 'communes', /Commune introuvable : « Saint-Denis \(59\) »/],
      [{ communes: 'Lill' }, 'communes', /Commune introuvable : « Lill ». Vouliez-vous dire : Lille \(59\)/],
      [{ communes: 'Qwxzqwxz' }, 'communes', /Commune introuvable : « Qwxzqwxz »/],
      [{ communes: '99999' }, 'communes', /Commune inconnue : « 99999 »/],
      [{ communes: 'Lille\n59350' }, 'communes', /La commune 59350 est donnée deux fois/],
      [{ communes: Array(61).fill('Lille').join('\n') }, 'communes', /Au plus 60 communes/],
      [{ spectators: 'beaucoup' }, 'spectators', /Un nombre entier positif est attendu/],
      [{ participants_12_17: '2000000' }, 'participants_12_17', /Un nombre entre 0 et 1000000/],
      [{ participants_female: '1' }, 'participants_female', /La répartition par genre \(6\) doit faire le total/],
      [{ type: 'debate', participants_female: '', participants_male: '', participants_other: '' }, 'participants_u12', /Seuls les ateliers de pratique/],
      [{ budget_granted: '20000000' }, 'budget_granted', /Un montant entre 0 et 10000000 euros/],
      [{ lead_structure: 'abc' }, 'lead_structure', /Structure porteuse inconnue/],
      [{ lead_structure: '999999' }, 'lead_structure', /Structure porteuse inconnue/],
      [{ partners: '999999' }, 'partners', /Structure partenaire inconnue/],
      [{ facilitators: 'x'.repeat(121) }, 'facilitators', /intervenant/],
      [{ themes: 'astrology' }, 'themes', /Valeur inconnue : « astrology »/],
      [{ forms: 'opera' }, 'forms', /Valeur inconnue : « opera »/],
      [{ publics: 'everyone' }, 'publics', /Valeur inconnue : « everyone »/],
      [{ groups: String(s['demo-portraits-sonores']) }, 'groups', /Ce groupe n'est pas du territoire/],
      [{ films: '999999' }, 'films', /Ce film n'est pas du territoire/],
      [{ films_made: '0' }, 'films_made', /au moins produit ses 1 films liés/],
    ];
    for (const [over, field, message] of cases) {
      const res = await who.coordinator.post('/actions', form({ title: 'Valeurs gardées', ...over }));
      expectFieldError(res, field, message, `${field} ${JSON.stringify(over).slice(0, 80)}`);
      if (!('title' in over)) assert.match(res.text, /value="Valeurs gardées"/, `${field}: the title is kept`);
    }
    const list = await who.admin.get('/api/v1/actions?q=valeurs%20gardees');
    assert.equal(list.json().total, 0, 'nothing was stored');
  });

  test('a coordinator records an action on one page; its page shows every field', async () => {
    const res = await who.coordinator.post('/actions', form());
    assert.equal(res.status, 303, res.text.slice(0, 800));
    const m = res.location.match(/^\/actions\/(\d+)$/);
    assert.ok(m, res.location);
    s.id = m[1];
    const page = await who.coordinator.get(res.location);
    assert.equal(page.status, 200);
    assert.match(page.text, /class="flash"[^>]*>Action enregistrée\./);
    const t = unescapeHtml(page.text);
    assert.match(t, /<h1>Atelier cinéma des Aubépines<\/h1>/);
    assert.match(t, /Atelier de pratique : réalisation de film/);
    assert.match(t, /Réalisée/);
    assert.match(t, /du 2026-03-02 au 2026-05-28/);
    assert.match(t, /<a href="\/coordinations\/hors-cadre">Hors Cadre<\/a>/);
    for (const c of ['Lille (59)', 'Saint-Denis (93)', 'Roubaix (59)']) assert.ok(t.includes(c), c);
    assert.ok(t.includes(`<a href="/structures/${s.structures[0].id}">`), 'lead structure link');
    assert.ok(t.includes(`<a href="/structures/${s.structures[1].id}">`), 'partner link');
    assert.match(t, /Nadia Benali<br>Paul Martin/);
    assert.match(t, /Jeunesse/);
    assert.match(t, /Citoyenneté/);
    assert.match(t, /Fiction/);
    assert.match(t, /Quartier prioritaire \(QPV\)/);
    assert.match(t, /<dt>Personnes touchées<\/dt>\s*<dd>132<\/dd>/);
    assert.match(t, /<dt>Participants aux ateliers<\/dt>\s*<dd>12<\/dd>/);
    assert.match(t, /<th scope="row">12 à 17 ans<\/th><td>9<\/td>/);
    assert.match(t, /<th scope="row">Filles et femmes<\/th><td>7<\/td>/);
    assert.match(t, /<dt>Heures de pratique<\/dt>\s*<dd>40<\/dd>/);
    assert.match(t, /<dt>Demandé<\/dt>\s*<dd>9000 €<\/dd>/);
    assert.match(t, /<dt>Accordé<\/dt>\s*<dd>7500 €<\/dd>/);
    assert.ok(t.includes('<a href="/groupes/demo-lumieres-du-quartier">'), 'group link');
    assert.ok(t.includes(`<a href="/films/${s.film.id}">`), 'film link');
    assert.ok(t.includes(`href="/actions/${s.id}/modifier"`), 'edit button');
    assert.ok(t.includes(`href="/actions/${s.id}/supprimer"`), 'delete button');
  });

  test('the budget is hidden from anonymous visitors, supervisors, participants and other coordinators', async () => {
    for (const role of ['anonymous', 'participant', 'supervisor', 'foreign']) {
      const page = await who[role].get(`/actions/${s.id}`);
      assert.equal(page.status, 200, role);
      assert.match(page.text, /Atelier cinéma des Aubépines/, role);
      assert.doesNotMatch(page.text, /<h2>Budget<\/h2>|7500|9000/, `${role} sees no budget`);
      assert.doesNotMatch(page.text, /\/modifier"/, `${role} gets no edit button`);
      const list = await who[role].get('/actions?q=aubepines');
      assert.match(list.text, /1 action\(s\)/, role);
      assert.doesNotMatch(list.text, /Budget accordé|7500/, `${role}: no budget in the list`);
      const api = await who[role].get(`/api/v1/actions/${s.id}`);
      const a = expectDoc(api, 200, 'get', '/api/v1/actions/{id}');
      for (const k of ['budget_requested', 'budget_granted', 'budget_cofunding']) assert.ok(!(k in a), `${role}: API ${k}`);
      const apiList = expectDoc(await who[role].get('/api/v1/actions?q=aubepines'), 200, 'get', '/api/v1/actions');
      assert.equal(apiList.total, 1, role);
      assert.ok(apiList.items.every((x) => !('budget_granted' in x)), `${role}: API list`);
    }
    const admin = await who.admin.get(`/actions/${s.id}`);
    assert.match(admin.text, /7500 €/);
    const list = await who.coordinator.get('/actions?q=aubepines');
    assert.match(list.text, /Budget accordé/);
    assert.match(list.text, /<td>7500<\/td>/);
    const api = expectDoc(await who.admin.get(`/api/v1/actions/${s.id}`), 200, 'get', '/api/v1/actions/{id}');
    assert.equal(api.budget_granted, 7500);
  });

  test('a linked group or film is shown only to those who may see it', async () => {
    const res = await who.coordinator.post(`/actions/${s.id}`, form({
      groups: undefined, films: undefined,
    }).concat([['groups', String(s['demo-lumieres-du-quartier'])], ['groups', String(s['demo-atelier-animation'])]]));
    assert.equal(res.status, 303, res.text.slice(0, 600));
    const anon = await who.anonymous.get(`/actions/${s.id}`);
    assert.match(anon.text, /href="\/groupes\/demo-lumieres-du-quartier"/);
    assert.doesNotMatch(anon.text, /demo-atelier-animation/, 'a group page for its circle only');
    const coord = await who.coordinator.get(`/actions/${s.id}`);
    assert.match(coord.text, /href="\/groupes\/demo-atelier-animation"/);
  });

  test('the edit form is filled with the action and saves changes; errors come back with 422', async () => {
    const edit = await who.coordinator.get(`/actions/${s.id}/modifier`);
    assert.equal(edit.status, 200);
    const t = unescapeHtml(edit.text);
    assert.match(t, /<textarea id="fi-communes"[^>]*>Lille \(59\)\nRoubaix \(59\)\nSaint-Denis \(93\)\n<\/textarea>/);
    assert.match(t, /value="Atelier cinéma des Aubépines"/);
    assert.match(t, /id="fi-participants_female" name="participants_female" type="text" inputmode="numeric" size="8" value="7"/);
    assert.ok(t.includes(`name="themes" type="checkbox" value="youth" checked`));
    assert.ok(t.includes(`<option value="${s.structures[0].id}" selected>`));
    // the form as it is, sent back unchanged, is valid (what the edit page shows round-trips)
    const bad = await who.coordinator.post(`/actions/${s.id}`, form({ title: 'Nouveau titre', end_date: '2025-01-01' }));
    expectFieldError(bad, 'end_date', /La fin ne peut pas précéder le début/, 'edit');
    assert.match(bad.text, /value="Nouveau titre"/);
    const ok = await who.coordinator.post(`/actions/${s.id}`, form({
      title: 'Atelier des Aubépines, saison 2',
      communes: 'Lille (59)\nRoubaix (59)\nSaint-Denis (93)',
      participants_female: '', participants_male: '', participants_other: '',
    }));
    assert.equal(ok.status, 303, ok.text.slice(0, 600));
    const page = await who.coordinator.get(`/actions/${s.id}`);
    assert.match(unescapeHtml(page.text), /<h1>Atelier des Aubépines, saison 2<\/h1>/);
    assert.doesNotMatch(page.text, /Participants par genre/, 'an empty gender split is not recorded');
  });
});

describe('what the form does not offer', () => {
  test('a partner outside the territory, set through the API, is kept by the form as a hidden field', async () => {
    const corse = (await who.admin.get('/api/v1/structures?coordination=corse&per_page=1')).json().items[0];
    assert.ok(corse?.id, 'the demo has a structure in Corsica');
    const res = await who.admin.put(`/api/v1/actions/${s.id}`, { partners: [s.structures[1].id, corse.id] });
    const a = expectDoc(res, 200, 'put', '/api/v1/actions/{id}');
    assert.equal(a.partners.length, 2);
    const edit = await who.coordinator.get(`/actions/${s.id}/modifier`);
    assert.ok(edit.text.includes(`<input type="hidden" name="partners" value="${corse.id}">`), 'kept as a hidden field');
    assert.ok(edit.text.includes(`name="partners" type="checkbox" value="${s.structures[1].id}" checked`), 'the listed one is checked');
    const back = await who.admin.put(`/api/v1/actions/${s.id}`, { partners: [s.structures[1].id] });
    assert.equal(back.status, 200);
  });
});

// ---- rights --------------------------------------------------------------------------------

describe('rights', () => {
  test("another coordination's coordinator, a supervisor and a participant get 403", async () => {
    const tries = [
      ['GET', `/actions/${s.id}/modifier`, {}],
      ['GET', `/actions/${s.id}/supprimer`, {}],
      ['POST', `/actions/${s.id}`, { form: form({ title: 'Repris par un tiers' }) }],
      ['POST', `/actions/${s.id}/supprimer`, { form: {} }],
      ['PUT', `/api/v1/actions/${s.id}`, { json: { title: 'Repris par un tiers' } }],
      ['DELETE', `/api/v1/actions/${s.id}`, {}],
    ];
    const problems = [];
    for (const role of ['foreign', 'supervisor', 'participant']) {
      for (const [method, p, opts] of tries) {
        const res = await who[role].request(method, p, opts);
        if (res.status !== 403) problems.push(`${role} ${method} ${p} → ${res.status}`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    const still = await who.admin.get(`/api/v1/actions/${s.id}`);
    assert.equal(still.status, 200);
    assert.notEqual(still.json().title, 'Repris par un tiers');
  });

  test("a coordinator cannot record an action for another coordination, nor move one there", async () => {
    const api = await who.coordinator.postJson('/api/v1/actions', body({ coordination: 'acap-pole-regional-image' }));
    assert.equal(api.status, 403, api.text);
    expectDoc(api, 403, 'post', '/api/v1/actions');
    const move = await who.coordinator.put(`/api/v1/actions/${s.id}`, { coordination: 'acap-pole-regional-image' });
    assert.equal(move.status, 403, move.text);
    const unknown = await who.coordinator.postJson('/api/v1/actions', body({ coordination: 'nulle-part' }));
    const p = expectDoc(unknown, 422, 'post', '/api/v1/actions');
    assert.ok(p.errors.coordination, 'errors names the member');
  });

  test('an action of acap, recorded by an admin, is the foreign coordinator\'s, not the demo coordinator\'s', async () => {
    const res = await who.admin.postJson('/api/v1/actions', body({ coordination: 'acap-pole-regional-image', communes: ['60159'] }));
    const a = expectDoc(res, 201, 'post', '/api/v1/actions');
    s.acap = a.id;
    assert.equal(a.coordination.slug, 'acap-pole-regional-image');
    const mine = await who.coordinator.get(`/api/v1/actions/${a.id}`);
    assert.ok(!('budget_granted' in mine.json()), 'no budget for another coordination');
    const theirs = await who.foreign.get(`/api/v1/actions/${a.id}`);
    assert.equal(theirs.json().budget_granted, 1800);
    assert.equal((await who.coordinator.get(`/actions/${a.id}/modifier`)).status, 403);
    assert.equal((await who.foreign.get(`/actions/${a.id}/modifier`)).status, 200);
    const edit = await who.admin.get(`/actions/${a.id}/modifier`);
    assert.match(edit.text, /<option value="\d+" selected>Acap – Pôle régional image<\/option>/);
  });

  test('404 for an action that does not exist, on the pages and in the API', async () => {
    for (const p of ['/actions/999999', '/actions/abc', '/actions/0']) {
      assert.equal((await who.anonymous.get(p)).status, 404, p);
    }
    assert.equal((await who.coordinator.get('/actions/999999/modifier')).status, 404);
    assert.equal((await who.coordinator.get('/actions/999999/supprimer')).status, 404);
    assert.equal((await who.coordinator.post('/actions/999999', form())).status, 404);
    const api = await who.anonymous.get('/api/v1/actions/999999');
    expectDoc(api, 404, 'get', '/api/v1/actions/{id}');
    assert.match(api.contentType, /^application\/problem\+json/);
    expectDoc(await who.coordinator.put('/api/v1/actions/999999', {}), 404, 'put', '/api/v1/actions/{id}');
    expectDoc(await who.coordinator.delete('/api/v1/actions/999999'), 404, 'delete', '/api/v1/actions/{id}');
  });
});

// ---- the API -------------------------------------------------------------------------------

describe('the API', () => {
  test('create: 201 with Location and every field; communes by code or by name', async () => {
    const res = await who.coordinator.postJson('/api/v1/actions', body({
      title: 'Ciné-débat à Tourcoing',
      type: 'debate',
      status: 'planned',
      communes: ['Tourcoing', 'Saint-Denis (974)'],
      lead_structure: s.structures[0].id,
      partners: [s.structures[1].id],
      facilitators: ['Inès Roy'],
      themes: ['memory'],
      forms: ['documentary'],
      publics: ['qpv', 'disability'],
      participants_female: null,
      participants_male: null,
      participants_other: null,
      spectators: 80,
      spectators_include_participants: false,
      groups: [s['demo-lumieres-du-quartier']],
      films: [s.film.id],
      films_made: 1,
    }));
    const a = expectDoc(res, 201, 'post', '/api/v1/actions');
    assert.equal(res.location, `/api/v1/actions/${a.id}`);
    s.apiId = a.id;
    assert.equal(a.coordination.slug, 'hors-cadre', "a coordinator's own coordination by default");
    assert.deepEqual(a.communes.map((c) => c.code).sort(), ['59599', '97411']);
    assert.equal(a.lead_structure.id, s.structures[0].id);
    assert.deepEqual(a.partners.map((p) => p.id), [s.structures[1].id]);
    assert.deepEqual(a.publics, ['disability', 'qpv']);
    assert.equal(a.participants_female, null);
    assert.equal(a.reached, 80);
    assert.equal(a.budget_granted, 1800);
    assert.deepEqual(a.groups.map((g) => g.slug), ['demo-lumieres-du-quartier']);
    assert.deepEqual(a.films.map((f) => f.id), [s.film.id]);
  });

  test('422 problems name the member', async () => {
    const cases = [
      [{ title: '' }, 'title'],
      [{ type: 'party' }, 'type'],
      [{ start_date: '14/07/2025' }, 'start_date'],
      [{ communes: ['Saint-Denis'] }, 'communes'],
      [{ communes: 'Lille' }, 'communes'],
      [{ spectators: 'many' }, 'spectators'],
      [{ spectators: -1 }, 'spectators'],
      [{ participants_female: 1 }, 'participants_female'],
      [{ type: 'workshop_film', participants_12_17: 5, participants_female: 1, participants_male: 1, participants_other: 1 }, 'participants_female'],
      [{ budget_requested: 99999999 }, 'budget_requested'],
      [{ partners: ['a'] }, 'partners'],
      [{ spectators_include_participants: 'yes' }, 'spectators_include_participants'],
    ];
    for (const [over, field] of cases) {
      const res = await who.coordinator.postJson('/api/v1/actions', body(over));
      const p = expectDoc(res, 422, 'post', '/api/v1/actions');
      assert.ok(p.errors?.[field], `${JSON.stringify(over)}: errors.${field} in ${res.text}`);
    }
    const notJson = await who.coordinator.request('POST', '/api/v1/actions', { body: 'nope', headers: { 'Content-Type': 'application/json' } });
    expectDoc(notJson, 400, 'post', '/api/v1/actions');
    const saint = await who.coordinator.postJson('/api/v1/actions', body({ communes: ['Saint-Denis'] }));
    assert.match(saint.json().errors.communes, /Saint-Denis : précisez le département \(11, 30, 93, 974\)/);
  });

  test('PUT changes the members given and keeps the others; DELETE removes', async () => {
    const res = await who.coordinator.put(`/api/v1/actions/${s.apiId}`, { status: 'done', spectators: 95, themes: [] });
    const a = expectDoc(res, 200, 'put', '/api/v1/actions/{id}');
    assert.equal(a.status, 'done');
    assert.equal(a.spectators, 95);
    assert.deepEqual(a.themes, []);
    assert.equal(a.title, 'Ciné-débat à Tourcoing', 'kept');
    assert.equal(a.communes.length, 2, 'kept');
    assert.deepEqual(a.forms, ['documentary'], 'kept');
    const bad = await who.coordinator.put(`/api/v1/actions/${s.apiId}`, { end_date: '2020-01-01' });
    const p = expectDoc(bad, 422, 'put', '/api/v1/actions/{id}');
    assert.ok(p.errors.end_date);
    const del = await who.coordinator.delete(`/api/v1/actions/${s.apiId}`);
    expectDoc(del, 204, 'delete', '/api/v1/actions/{id}');
    assert.equal((await who.anonymous.get(`/api/v1/actions/${s.apiId}`)).status, 404);
  });
});

// ---- pages and filters -----------------------------------------------------------------------

describe('pages and filters', () => {
  before(async () => {
    // 24 actions of hors-cadre named "zorglub": two years the demo does not reach, two types,
    // one commune each
    for (let i = 0; i < 24; i++) {
      const day = `${i < 12 ? 2031 : 2032}-06-${String(i + 1).padStart(2, '0')}`;
      const res = await who.coordinator.postJson('/api/v1/actions', body({
        title: `Séance zorglub ${String(i).padStart(2, '0')}${i === 7 ? ' (zinzolin)' : ''}`,
        type: i % 2 ? 'open_air' : 'discovery',
        status: i % 3 ? 'done' : 'planned',
        start_date: day,
        end_date: day,
        communes: [i === 5 ? '59183' : '59350'],
      }));
      assert.equal(res.status, 201, res.text);
    }
  });

  const rows = (t) => (t.match(/<th scope="row"><a href="\/actions\/\d+">/g) || []).length;

  test('the page lists 20 actions at a time, with links to the next and previous pages', async () => {
    const one = await who.anonymous.get('/actions?q=zorglub');
    assert.equal(one.status, 200);
    assert.equal(rows(one.text), 20);
    assert.match(one.text, /24 action\(s\)/);
    assert.match(one.text, /Page 1 \/ 2/);
    const next = unescapeHtml(one.text.match(/<a href="([^"]+)" rel="next">/)[1]);
    assert.equal(next, '/actions?q=zorglub&page=2');
    const two = await who.anonymous.get(next);
    assert.equal(rows(two.text), 4);
    assert.match(two.text, /rel="prev"/);
    assert.doesNotMatch(two.text, /rel="next"/);
    const all = await who.anonymous.get('/actions');
    assert.equal(all.status, 200);
    assert.ok(rows(all.text) <= 20);
  });

  test('filters: year, type, status, coordination, commune, search, sort; an empty result says so', async () => {
    const count = async (q) => {
      const res = await who.anonymous.get(`/actions?q=zorglub&${q}`);
      assert.equal(res.status, 200, q);
      return Number(res.text.match(/(\d+) action\(s\)/)[1]);
    };
    assert.equal(await count('year=2031'), 12);
    assert.equal(await count('year=2032&type=discovery'), 6);
    assert.equal(await count('status=planned&year=2031'), 4);
    assert.equal(await count('coordination=hors-cadre'), 24);
    assert.equal(await count('coordination=acap-pole-regional-image'), 0);
    assert.equal(await count('commune=59183'), 1);
    const zin = await who.anonymous.get('/actions?q=ZINZOLIN');
    assert.match(zin.text, /1 action\(s\)/, 'search ignores case and accents');
    assert.equal(await count('type=not-a-type'), 24, 'an unknown value is ignored');
    const none = await who.anonymous.get('/actions?q=zorglub&year=2040');
    assert.match(none.text, /Aucune action ne correspond à ces critères/);
    const byTitle = await who.anonymous.get('/actions?sort=title&year=2031&q=zorglub');
    const titles = [...unescapeHtml(byTitle.text).matchAll(/<th scope="row"><a href="\/actions\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    assert.equal(titles.length, 12);
    assert.deepEqual(titles, [...titles].sort());
    const oldest = await who.anonymous.get('/actions?sort=oldest&q=zorglub');
    assert.match(oldest.text, /<th scope="row"><a href="\/actions\/\d+">Séance zorglub 00<\/a>/);
    const newest = await who.anonymous.get('/actions?q=zorglub');
    assert.match(newest.text, /<th scope="row"><a href="\/actions\/\d+">Séance zorglub 23<\/a>/);
  });

  test('the API pages and filters the same way; bad parameters are 400', async () => {
    const p = expectDoc(await who.anonymous.get('/api/v1/actions?q=zorglub&per_page=5&page=2&sort=oldest'), 200, 'get', '/api/v1/actions');
    assert.equal(p.total, 24);
    assert.equal(p.items.length, 5);
    assert.equal(p.page, 2);
    assert.equal(p.per_page, 5);
    assert.equal(p.items[0].title, 'Séance zorglub 05');
    const f = expectDoc(await who.anonymous.get('/api/v1/actions?q=zorglub&year=2032&type=discovery&coordination=hors-cadre'), 200, 'get', '/api/v1/actions');
    assert.equal(f.total, 6);
    assert.ok(f.items.every((x) => x.type === 'discovery' && x.year === 2032));
    const c = expectDoc(await who.anonymous.get('/api/v1/actions?commune=59183&q=zorglub&status=done'), 200, 'get', '/api/v1/actions');
    assert.equal(c.total, 1);
    assert.equal(c.items[0].communes[0].name, 'Dunkerque');
    for (const q of ['per_page=0', 'per_page=201', 'type=party', 'status=lost', 'sort=random', 'year=abc']) {
      expectDoc(await who.anonymous.get(`/api/v1/actions?${q}`), 400, 'get', '/api/v1/actions');
    }
    expectDoc(await who.anonymous.get('/api/v1/actions?coordination=nulle-part'), 404, 'get', '/api/v1/actions');
  });
});

// ---- deletion ----------------------------------------------------------------------------------

describe('deletion', () => {
  test('after a confirmation page, with a flash message; the action is gone', async () => {
    const confirm = await who.coordinator.get(`/actions/${s.id}/supprimer`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, new RegExp(`<form method="post" action="/actions/${s.id}/supprimer"`));
    assert.match(confirm.text, /name="_csrf"/);
    const res = await who.coordinator.post(`/actions/${s.id}/supprimer`, {});
    assert.equal(res.status, 303);
    assert.equal(res.location, '/actions');
    const list = await who.coordinator.get('/actions');
    assert.match(list.text, /class="flash"[^>]*>Action supprimée\./);
    assert.equal((await who.anonymous.get(`/actions/${s.id}`)).status, 404);
    const group = await who.anonymous.get('/groupes/demo-lumieres-du-quartier');
    assert.equal(group.status, 200, 'the linked group stays');
    const del = await who.admin.delete(`/api/v1/actions/${s.acap}`);
    expectDoc(del, 204, 'delete', '/api/v1/actions/{id}');
  });
});
