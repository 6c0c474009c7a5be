// Calls for projects and applications (issue 6, point 1), through the forms with their CSRF
// tokens and through the API: the demo coordinator (hors-cadre) opens a call, the demo
// supervisor ("encadrant", referent of a hors-cadre structure) writes an application with a
// PDF attachment and submits it, the coordinator accepts it with an amount, the applicant sees
// the decision, and the coordinator makes the action in one step. A PNG named .pdf is
// refused; another coordination's coordinator gets 403/404 on the applications, their
// attachments and the decision; a closed call refuses a submission with a clear message.
// Every API answer is checked against static/openapi.json.
//
// One server (a copy of the init + demo fixture) for the file; the describe blocks build on
// each other in order.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, login, runCli, startServer } from './lib/server.mjs';
import { makePdf, makePng } from './lib/images.mjs';
import { postMultipart, unescapeHtml } from './lib/photos.mjs';

const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));
const FOREIGN = { login: 'coord-acap-appels', password: 'coord-acap-mot-de-passe' };

let server;
const who = {};
const s = {};

/** A local date n days from today, YYYY-MM-DD (the server judges in its local time). */
function day(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', FOREIGN.login, '--name', 'Coordination Acap (appels)', '--role', 'coordinator',
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

/** Asserts the status, that the document gives it for the operation, and that a JSON body
 * conforms; returns the body (null for a 204). */
function expectDoc(res, status, method, docPath) {
  const what = `${method.toUpperCase()} ${docPath}`;
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 500)}`);
  const op = doc.paths[docPath]?.[method];
  assert.ok(op, `${what}: not documented`);
  let r = op.responses[String(status)];
  assert.ok(r, `${what}: ${status} not documented`);
  if (r.$ref) r = resolve(r.$ref);
  if (status === 204) return null;
  const media = Object.keys(r.content || {})[0];
  assert.ok(res.contentType.startsWith(media), `${what}: ${res.contentType}, documented ${media}`);
  if (!media.includes('json')) return null;
  const body = res.json();
  const errors = validate(r.content[media].schema, body);
  assert.deepEqual(errors, [], `${what}: ${errors.join('; ')}`);
  return body;
}

function idFrom(location, prefix) {
  const m = new RegExp(`^${prefix}/(\\d+)`).exec(location || '');
  assert.ok(m, `a redirect to ${prefix}/{id}, got ${location}`);
  return Number(m[1]);
}

async function fetchFile(client, url) {
  const res = await fetch(client.base + url, { headers: { Cookie: client.cookieHeader() }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const APP_FORM = {
  title: 'Quartier en images',
  project: 'Dix séances de tournage avec les jeunes du quartier, une projection en juin.',
  facilitator: 'Camille Réalisatrice',
  planned_start: '2027-03-01',
  planned_end: '2027-06-30',
  public_desc: '12 jeunes de 12 à 17 ans',
  action_type: 'workshop_film',
  budget_requested: '6 000',
  communes: 'Lille (59)\n59512',
};

// ---- opening a call ------------------------------------------------------------------------

describe('a coordinator opens a call', () => {
  test('the form, a refused one re-shown with 422, then the call', async () => {
    const form = await who.coordinator.get('/appels/nouveau');
    assert.equal(form.status, 200);
    assert.match(form.text, /name="_csrf"/);
    const bad = await who.coordinator.post('/appels', { title: '', opens_on: day(-3), closes_on: day(30), budget: '10000' });
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /Le titre est obligatoire/);
    const backwards = await who.coordinator.post('/appels', { title: 'À l\'envers', opens_on: day(3), closes_on: day(1) });
    assert.equal(backwards.status, 422);
    assert.match(unescapeHtml(backwards.text), /La clôture ne peut pas précéder l'ouverture/);
    assert.match(backwards.text, /value="À l&#39;envers"|value="À l'envers"/);
    const res = await who.coordinator.post('/appels', {
      title: 'Appel à projets printemps',
      opens_on: day(-3),
      closes_on: day(30),
      budget: '10 000',
      rules: 'Un projet par structure.\nDossier complet avant la clôture.',
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    s.call = idFrom(res.location, '/appels');
  });

  test('everyone signed in sees it open; anonymous visitors are sent to sign in', async () => {
    for (const role of ['participant', 'supervisor', 'coordinator', 'admin']) {
      const list = await who[role].get('/appels');
      assert.equal(list.status, 200, role);
      const text = unescapeHtml(list.text);
      assert.match(text, /Appel à projets printemps/, role);
      assert.match(text, new RegExp(`ouvert jusqu'au ${day(30)}`), role);
    }
    const anon = await who.anonymous.get('/appels');
    assert.equal(anon.status, 303);
    assert.match(anon.location, /^\/connexion/);
    const page = await who.participant.get(`/appels/${s.call}`);
    assert.equal(page.status, 200);
    assert.match(unescapeHtml(page.text), /Un projet par structure/);
    assert.doesNotMatch(page.text, /Montants accordés/, 'no budget figures for a participant');
  });

  test('an upcoming call reads "à venir"', async () => {
    const res = await who.coordinator.post('/appels', { title: 'Appel d\'automne', opens_on: day(60), closes_on: day(90), budget: '5000' });
    assert.equal(res.status, 303);
    s.upcoming = idFrom(res.location, '/appels');
    const list = unescapeHtml((await who.supervisor.get('/appels')).text);
    assert.match(list, new RegExp(`à venir \\(ouvre le ${day(60)}\\)`));
  });

  test('another coordination\'s coordinator cannot edit it', async () => {
    assert.equal((await who.foreign.get(`/appels/${s.call}/modifier`)).status, 403);
    assert.equal((await who.foreign.post(`/appels/${s.call}`, { title: 'Volé', opens_on: day(0), closes_on: day(1) })).status, 403);
    assert.equal((await who.foreign.post(`/appels/${s.call}/supprimer`, {})).status, 403);
  });
});

// ---- applying ------------------------------------------------------------------------------

describe('the demo supervisor applies', () => {
  test('the form offers their structure; a commune that does not exist is a 422', async () => {
    const form = await who.supervisor.get(`/appels/${s.call}/candidater`);
    assert.equal(form.status, 200, form.text.slice(0, 300));
    const m = /<option value="(\d+)"[^>]*>([^<]+)<\/option>/.exec(form.text);
    assert.ok(m, 'a structure is offered');
    s.structure = Number(m[1]);
    s.structureName = unescapeHtml(m[2]);
    const bad = await who.supervisor.post(`/appels/${s.call}/candidatures`, {
      ...APP_FORM, structure_id: s.structure, communes: 'Nullepart-sur-Mer',
    });
    assert.equal(bad.status, 422);
    assert.match(unescapeHtml(bad.text), /Commune introuvable/);
    assert.match(unescapeHtml(bad.text), /Quartier en images/, 'what was typed is shown again');
  });

  test('a participant, a coordinator and the upcoming call cannot take an application', async () => {
    assert.equal((await who.participant.get(`/appels/${s.call}/candidater`)).status, 403);
    assert.equal((await who.coordinator.get(`/appels/${s.call}/candidater`)).status, 403);
    const r = await who.coordinator.post(`/appels/${s.call}/candidatures`, { ...APP_FORM, structure_id: String(s.structure) });
    assert.equal(r.status, 403);
    const up = await who.supervisor.post(`/appels/${s.upcoming}/candidatures`, { ...APP_FORM, structure_id: s.structure });
    assert.equal(up.status, 422);
    assert.match(unescapeHtml(up.text), /Cet appel n'est pas ouvert/);
  });

  test('the draft is written, then a PDF attached; a PNG named .pdf is refused', async () => {
    const res = await who.supervisor.post(`/appels/${s.call}/candidatures`, { ...APP_FORM, structure_id: s.structure });
    assert.equal(res.status, 303, res.text.slice(0, 400));
    s.app = idFrom(res.location, '/candidatures');
    s.appUrl = `/candidatures/${s.app}`;
    const fake = await postMultipart(who.supervisor, `${s.appUrl}/pieces`, {
      files: [{ field: 'file', bytes: makePng(8, 8), type: 'application/pdf', name: 'budget.pdf' }],
    });
    assert.equal(fake.status, 422);
    assert.match(unescapeHtml(fake.text), /Seuls les fichiers PDF sont acceptés/);
    const good = await postMultipart(who.supervisor, `${s.appUrl}/pieces`, {
      files: [{ field: 'file', bytes: makePdf(), type: 'application/pdf', name: 'dossier.pdf' }],
    });
    assert.equal(good.status, 303, good.text.slice(0, 300));
    const page = await who.supervisor.get(s.appUrl);
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.match(text, /Brouillon/);
    assert.match(text, /dossier\.pdf/);
    const link = /href="(\/candidatures\/\d+\/pieces\/\d+)"/.exec(page.text);
    assert.ok(link, 'the attachment is linked');
    s.fileUrl = link[1];
    const stored = fs.readdirSync(path.join(server.dataDir, 'applications'));
    assert.equal(stored.length, 1);
    assert.match(stored[0], /^[0-9a-f]{32}\.pdf$/);
  });

  test('a draft is its referents\' only', async () => {
    assert.equal((await who.coordinator.get(s.appUrl)).status, 404);
    assert.equal((await fetchFile(who.coordinator, s.fileUrl)).status, 404);
    assert.equal((await who.admin.get(s.appUrl)).status, 404);
  });

  test('submitted: nobody may edit it any more', async () => {
    const res = await who.supervisor.post(`${s.appUrl}/deposer`, {});
    assert.equal(res.status, 303);
    const page = unescapeHtml((await who.supervisor.get(s.appUrl)).text);
    assert.match(page, /Déposée/);
    assert.match(page, /ne peut plus être modifiée/);
    const edit = await who.supervisor.post(s.appUrl, { ...APP_FORM, structure_id: s.structure, title: 'Changé' });
    assert.equal(edit.status, 409);
    assert.equal((await who.supervisor.get(`${s.appUrl}/modifier`)).status, 409);
    const again = await who.supervisor.post(`${s.appUrl}/deposer`, {});
    assert.equal(again.status, 409);
    const pdf = await postMultipart(who.supervisor, `${s.appUrl}/pieces`, {
      files: [{ field: 'file', bytes: makePdf(), type: 'application/pdf', name: 'tard.pdf' }],
    });
    assert.equal(pdf.status, 409);
  });
});

// ---- rights --------------------------------------------------------------------------------

describe('who sees the application', () => {
  test('the call\'s coordinator sees it listed with its status, and its attachment', async () => {
    const page = unescapeHtml((await who.coordinator.get(`/appels/${s.call}`)).text);
    assert.match(page, /Quartier en images/);
    assert.match(page, /Déposée/);
    assert.equal((await who.coordinator.get(s.appUrl)).status, 200);
    const f = await fetchFile(who.coordinator, s.fileUrl);
    assert.equal(f.status, 200);
    assert.equal(f.headers.get('content-type'), 'application/pdf');
    assert.match(f.headers.get('content-disposition'), /^attachment/);
    assert.equal(f.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(f.bytes.subarray(0, 5).equals(Buffer.from('%PDF-')));
    assert.equal((await fetchFile(who.supervisor, s.fileUrl)).status, 200, 'the applicant too');
    assert.equal((await fetchFile(who.admin, s.fileUrl)).status, 200, 'admins too');
  });

  test('another coordination\'s coordinator gets nothing: 403/404 on the list, the page, the file, the decision', async () => {
    const page = await who.foreign.get(`/appels/${s.call}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /Quartier en images/);
    assert.doesNotMatch(page.text, /Montants accordés/);
    assert.equal((await who.foreign.get(s.appUrl)).status, 404);
    assert.equal((await fetchFile(who.foreign, s.fileUrl)).status, 404);
    assert.equal((await who.foreign.post(`${s.appUrl}/decision`, { decision: 'accepted', amount: '1' })).status, 404);
    assert.equal((await who.foreign.post(`${s.appUrl}/action`, {})).status, 404);
    const api = await who.foreign.get(`/api/v1/calls/${s.call}/applications`);
    assert.equal(api.status, 403);
    assert.equal((await who.foreign.get(`/api/v1/applications/${s.app}`)).status, 404);
    const apiCall = await who.foreign.get(`/api/v1/calls/${s.call}`);
    assert.equal(apiCall.status, 200);
    assert.ok(!('accepted_total' in apiCall.json()), 'no budget figures');
  });

  test('participants and anonymous visitors see nothing of applications', async () => {
    assert.equal((await who.participant.get(s.appUrl)).status, 403);
    assert.equal((await fetchFile(who.participant, s.fileUrl)).status, 403);
    assert.equal((await who.participant.get('/candidatures')).status, 403);
    const anon = await who.anonymous.get(s.appUrl);
    assert.equal(anon.status, 303);
    assert.equal((await fetchFile(who.anonymous, s.fileUrl)).status, 303);
    assert.equal((await fetch(`${server.url}/api/v1/applications/${s.app}`)).status, 401);
  });

  test('a call with a submitted application cannot be deleted', async () => {
    const confirm = await who.coordinator.get(`/appels/${s.call}/supprimer`);
    assert.equal(confirm.status, 200);
    assert.match(unescapeHtml(confirm.text), /ne peut plus être supprimé/);
    assert.equal((await who.coordinator.post(`/appels/${s.call}/supprimer`, {})).status, 409);
  });
});

// ---- the decision and the action -----------------------------------------------------------

describe('the steering committee decides, and the action is made in one step', () => {
  test('refused decisions re-shown with 422', async () => {
    const none = await who.coordinator.post(`${s.appUrl}/decision`, { decision: 'accepted', amount: '' });
    assert.equal(none.status, 422);
    assert.match(unescapeHtml(none.text), /Le montant accordé va de 1 à/);
    const noReason = await who.coordinator.post(`${s.appUrl}/decision`, { decision: 'declined', reason: '  ' });
    assert.equal(noReason.status, 422);
    assert.match(unescapeHtml(noReason.text), /Le motif du refus est obligatoire/);
    assert.match(noReason.text, /value="declined" checked/, 'the choice is kept');
    const tooMuch = await who.coordinator.post(`${s.appUrl}/decision`, { decision: 'accepted', amount: '10000001' });
    assert.equal(tooMuch.status, 422);
    assert.equal((await who.supervisor.post(`${s.appUrl}/decision`, { decision: 'accepted', amount: '5' })).status, 403);
  });

  test('accepted with an amount; the applicant sees the decision', async () => {
    const res = await who.coordinator.post(`${s.appUrl}/decision`, { decision: 'accepted', amount: '4 500', reason: 'Beau projet.' });
    assert.equal(res.status, 303);
    const again = await who.coordinator.post(`${s.appUrl}/decision`, { decision: 'declined', reason: 'Non.' });
    assert.equal(again.status, 409);
    const mine = unescapeHtml((await who.supervisor.get('/candidatures')).text);
    assert.match(mine, /Quartier en images/);
    assert.match(mine, /Acceptée/);
    assert.match(mine, /4500 €/);
    const page = unescapeHtml((await who.supervisor.get(s.appUrl)).text);
    assert.match(page, /Candidature acceptée/);
    assert.match(page, /Beau projet\./);
    assert.doesNotMatch(page, /Créer l'action/, 'the applicant does not make the action');
  });

  test('"Créer l\'action" makes the action pre-filled, once', async () => {
    const page = unescapeHtml((await who.coordinator.get(s.appUrl)).text);
    assert.match(page, /Créer l'action/);
    const res = await who.coordinator.post(`${s.appUrl}/action`, {});
    assert.equal(res.status, 303);
    const m = /^\/actions\/(\d+)\/modifier$/.exec(res.location);
    assert.ok(m, res.location);
    s.action = Number(m[1]);
    const edit = await who.coordinator.get(res.location);
    assert.equal(edit.status, 200);
    assert.match(unescapeHtml(edit.text), /Action créée à partir de la candidature/);
    const a = (await who.coordinator.get(`/api/v1/actions/${s.action}`)).json();
    assert.equal(a.title, 'Quartier en images');
    assert.equal(a.description, APP_FORM.project);
    assert.equal(a.type, 'workshop_film');
    assert.equal(a.status, 'planned');
    assert.equal(a.start_date, '2027-03-01');
    assert.equal(a.end_date, '2027-06-30');
    assert.equal(a.coordination.slug, 'hors-cadre');
    assert.equal(a.lead_structure.id, s.structure);
    assert.deepEqual(a.facilitators, ['Camille Réalisatrice']);
    assert.deepEqual(a.communes.map((c) => c.code).sort(), ['59350', '59512']);
    assert.equal(a.budget_requested, 6000);
    assert.equal(a.budget_granted, 4500);
    const twice = await who.coordinator.post(`${s.appUrl}/action`, {});
    assert.equal(twice.status, 409);
    const after = unescapeHtml((await who.supervisor.get(s.appUrl)).text);
    assert.match(after, /Voir l'action créée/);
  });

  test('passing the envelope is allowed, with a warning', async () => {
    const res = await who.supervisor.post(`/appels/${s.call}/candidatures`, { ...APP_FORM, title: 'Deuxième projet', structure_id: s.structure });
    assert.equal(res.status, 303);
    const id = idFrom(res.location, '/candidatures');
    assert.equal((await who.supervisor.post(`/candidatures/${id}/deposer`, {})).status, 303);
    const dec = await who.coordinator.post(`/candidatures/${id}/decision`, { decision: 'accepted', amount: '6000' });
    assert.equal(dec.status, 303);
    const page = unescapeHtml((await who.coordinator.get(`/candidatures/${id}`)).text);
    assert.match(page, /dépassent l'enveloppe/);
    const call = unescapeHtml((await who.coordinator.get(`/appels/${s.call}`)).text);
    assert.match(call, /10500 € \/ 10000 €/);
    assert.match(call, /L'enveloppe est dépassée/);
  });
});

// ---- a closed call -------------------------------------------------------------------------

describe('once the call is closed', () => {
  test('a draft can no longer be submitted: 422 with a clear message', async () => {
    const res = await who.supervisor.post(`/appels/${s.call}/candidatures`, { ...APP_FORM, title: 'Trop tard', structure_id: s.structure });
    assert.equal(res.status, 303);
    s.late = idFrom(res.location, '/candidatures');
    const upd = await who.coordinator.put(`/api/v1/calls/${s.call}`, { closes_on: day(-1), opens_on: day(-10) });
    expectDoc(upd, 200, 'put', '/api/v1/calls/{id}');
    const sub = await who.supervisor.post(`/candidatures/${s.late}/deposer`, {});
    assert.equal(sub.status, 422);
    assert.match(unescapeHtml(sub.text), new RegExp(`L'appel est clos depuis le ${day(-1)} : la candidature ne peut plus être déposée`));
    const list = unescapeHtml((await who.supervisor.get('/appels')).text);
    assert.match(list, new RegExp(`clos depuis le ${day(-1)}`));
  });
});

// ---- the API -------------------------------------------------------------------------------

describe('the API', () => {
  test('calls: create, list, get, update, delete', async () => {
    const bad = await who.coordinator.postJson('/api/v1/calls', { title: '' });
    expectDoc(bad, 422, 'post', '/api/v1/calls');
    const res = await who.coordinator.postJson('/api/v1/calls', {
      title: 'Appel API', opens_on: day(-1), closes_on: day(10), budget: 3000, rules: 'Règles.',
    });
    const call = expectDoc(res, 201, 'post', '/api/v1/calls');
    assert.equal(res.location, `/api/v1/calls/${call.id}`);
    assert.equal(call.state, 'open');
    assert.equal(call.coordination.slug, 'hors-cadre');
    s.apiCall = call.id;
    const list = expectDoc(await who.participant.get('/api/v1/calls'), 200, 'get', '/api/v1/calls');
    assert.ok(list.items.some((c) => c.id === call.id));
    const one = expectDoc(await who.supervisor.get(`/api/v1/calls/${call.id}`), 200, 'get', '/api/v1/calls/{id}');
    assert.ok(!('accepted_total' in one));
    expectDoc(await who.foreign.put(`/api/v1/calls/${call.id}`, { title: 'Non' }), 403, 'put', '/api/v1/calls/{id}');
    const tmp = expectDoc(await who.admin.postJson('/api/v1/calls', {
      coordination: 'hors-cadre', title: 'À supprimer', opens_on: day(0), closes_on: day(1),
    }), 201, 'post', '/api/v1/calls');
    expectDoc(await who.coordinator.delete(`/api/v1/calls/${tmp.id}`), 204, 'delete', '/api/v1/calls/{id}');
    expectDoc(await who.coordinator.get(`/api/v1/calls/${tmp.id}`), 404, 'get', '/api/v1/calls/{id}');
  });

  test('applications: create, attach (multipart and raw), submit, decide, action', async () => {
    const path0 = `/api/v1/calls/${s.apiCall}/applications`;
    const bad = await who.supervisor.postJson(path0, { structure_id: s.structure, title: 'X', action_type: 'nope' });
    expectDoc(bad, 422, 'post', '/api/v1/calls/{id}/applications');
    const res = await who.supervisor.postJson(path0, {
      structure_id: s.structure, title: 'Projet API', project: 'Un projet.', facilitator: 'Lou',
      planned_start: '2027-09-01', planned_end: '2027-09-30', public: 'Familles', action_type: 'open_air',
      budget_requested: 1200, communes: ['59350'],
    });
    const app = expectDoc(res, 201, 'post', '/api/v1/calls/{id}/applications');
    assert.equal(app.status, 'draft');
    const upd = await who.supervisor.put(`/api/v1/applications/${app.id}`, { budget_requested: 1500 });
    assert.equal(expectDoc(upd, 200, 'put', '/api/v1/applications/{id}').budget_requested, 1500);
    const multi = await postMultipart(who.supervisor, `/api/v1/applications/${app.id}/files`, {
      files: [{ field: 'file', bytes: makePdf(), type: 'application/pdf', name: 'a.pdf' }],
    });
    expectDoc(multi, 201, 'post', '/api/v1/applications/{id}/files');
    const token = await who.supervisor.csrf();
    const raw = async (bytes) => {
      const r = await fetch(`${server.url}/api/v1/applications/${app.id}/files?name=b.pdf`, {
        method: 'POST', body: bytes,
        headers: { 'Content-Type': 'application/pdf', 'X-CSRF-Token': token, Cookie: who.supervisor.cookieHeader() },
      });
      const text = await r.text();
      return { status: r.status, contentType: r.headers.get('content-type') || '', text, json: () => JSON.parse(text) };
    };
    const after = expectDoc(await raw(makePdf()), 201, 'post', '/api/v1/applications/{id}/files');
    assert.equal(after.files.length, 2);
    expectDoc(await raw(makePng(4, 4)), 422, 'post', '/api/v1/applications/{id}/files');
    // the limit on files: five at most
    for (let i = 0; i < 3; i++) expectDoc(await raw(makePdf()), 201, 'post', '/api/v1/applications/{id}/files');
    expectDoc(await raw(makePdf()), 422, 'post', '/api/v1/applications/{id}/files');
    const file = after.files[0];
    const dl = await fetchFile(who.supervisor, file.url);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/pdf');
    const mine = expectDoc(await who.supervisor.get('/api/v1/applications'), 200, 'get', '/api/v1/applications');
    assert.ok(mine.items.some((x) => x.id === app.id));
    expectDoc(await who.coordinator.get(`/api/v1/applications/${app.id}`), 404, 'get', '/api/v1/applications/{id}');
    const sub = expectDoc(await who.supervisor.postJson(`/api/v1/applications/${app.id}/submit`, {}), 200, 'post', '/api/v1/applications/{id}/submit');
    assert.equal(sub.status, 'submitted');
    const listed = expectDoc(await who.coordinator.get(`/api/v1/calls/${s.apiCall}/applications`), 200, 'get', '/api/v1/calls/{id}/applications');
    assert.deepEqual(listed.items.map((x) => x.id), [app.id]);
    expectDoc(await who.foreign.postJson(`/api/v1/applications/${app.id}/decision`, { decision: 'accepted', amount: 1 }), 404, 'post', '/api/v1/applications/{id}/decision');
    expectDoc(await who.coordinator.postJson(`/api/v1/applications/${app.id}/decision`, { decision: 'declined' }), 422, 'post', '/api/v1/applications/{id}/decision');
    const dec = expectDoc(await who.coordinator.postJson(`/api/v1/applications/${app.id}/decision`, { decision: 'accepted', amount: 5000 }), 200, 'post', '/api/v1/applications/{id}/decision');
    assert.equal(dec.status, 'accepted');
    assert.equal(dec.over_envelope, true);
    const act = await who.coordinator.postJson(`/api/v1/applications/${app.id}/action`, {});
    const withAction = expectDoc(act, 201, 'post', '/api/v1/applications/{id}/action');
    assert.equal(act.location, `/api/v1/actions/${withAction.action_id}`);
    expectDoc(await who.coordinator.postJson(`/api/v1/applications/${app.id}/action`, {}), 409, 'post', '/api/v1/applications/{id}/action');
    const a = (await who.coordinator.get(`/api/v1/actions/${withAction.action_id}`)).json();
    assert.equal(a.type, 'open_air');
    assert.equal(a.budget_granted, 5000);
  });

  test('declined with a reason, shown to the applicant', async () => {
    const app = expectDoc(await who.supervisor.postJson(`/api/v1/calls/${s.apiCall}/applications`, {
      structure_id: s.structure, title: 'Projet refusé', project: 'P.', facilitator: 'F',
      planned_start: '2027-01-01', planned_end: '2027-01-02', action_type: 'debate', communes: ['59350'],
    }), 201, 'post', '/api/v1/calls/{id}/applications');
    expectDoc(await who.supervisor.postJson(`/api/v1/applications/${app.id}/submit`, {}), 200, 'post', '/api/v1/applications/{id}/submit');
    const dec = expectDoc(await who.coordinator.postJson(`/api/v1/applications/${app.id}/decision`, { decision: 'declined', reason: 'Hors du territoire prioritaire.' }), 200, 'post', '/api/v1/applications/{id}/decision');
    assert.equal(dec.status, 'declined');
    const page = unescapeHtml((await who.supervisor.get(`/candidatures/${app.id}`)).text);
    assert.match(page, /Candidature refusée/);
    assert.match(page, /Hors du territoire prioritaire\./);
    expectDoc(await who.coordinator.postJson(`/api/v1/applications/${app.id}/action`, {}), 409, 'post', '/api/v1/applications/{id}/action');
  });
});
