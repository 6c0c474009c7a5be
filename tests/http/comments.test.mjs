// Comments, reports and the moderation page. On the demo's public group "Lumières du quartier"
// (set to require approval of its participants' comments): a member of the network comments
// and is published at once (a young author is named to no one outside the group's circle),
// the group's participant comments and waits until the coordinator approves from /moderation,
// a supervisor hides and shows a comment, anonymous visitors cannot comment (login link, 401)
// but can report a public entry; the report reaches the coordinator's moderation page and
// not that of a supervisor of another coordination, and is closed. The body's limits at
// their edges, the JSON API (checked against static/openapi.json), and the per-address
// throttle of reports (429) at the end.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, databaseUrl, login, startServer } from './lib/server.mjs';

const SLUG = 'demo-lumieres-du-quartier';
const MEMBER = { login: 'lecteur-reseau', password: 'lecteur-mot-de-passe' };
const SUP_ACAP = { login: 'encadrant-acap', password: 'encadrant-acap-mdp' };

const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));

let server;
let anon;
let sup; // the demo supervisor: manages the group
let coord; // the demo coordinator: hors-cadre, the group's coordination
let jeune; // the demo participant: "Lou" in the group
let admin;
let member; // a participant account of no group: a member of the network
let supAcap; // a supervisor attached to a structure of Acap, another coordination
let entryId; // the group's public entry "Premier jour : on invente l'histoire"
let networkEntryId; // its network entry "Le découpage technique"

/** Runs SQL on the server's database before it starts (sqlite3 or psql). */
function sql(dataDir, statement) {
  const url = databaseUrl(dataDir);
  const r = url
    ? spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', [path.join(dataDir, 'lanterne.db'), statement], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${statement}: ${r.error?.message ?? r.stderr}`);
}

async function signedIn(account) {
  const c = new Client(server.url);
  await login(c, account.login, account.password);
  await c.csrf('/');
  return c;
}

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      // no page sets this flag yet: the group API (PUT /api/v1/groups/{slug}) or SQL does
      sql(dataDir, `UPDATE groups SET require_comment_approval = 1 WHERE slug = '${SLUG}'`);
    },
  });
  anon = await clientAs(server, 'anonymous');
  sup = await clientAs(server, 'supervisor');
  coord = await clientAs(server, 'coordinator');
  jeune = await clientAs(server, 'participant');
  admin = await clientAs(server, 'admin');
  const acap = await admin.get('/api/v1/structures?coordination=acap-pole-regional-image&per_page=1');
  assert.equal(acap.status, 200, acap.text.slice(0, 300));
  const acapStructure = acap.json().items[0].id;
  for (const [a, role, extra] of [[MEMBER, 'participant', {}], [SUP_ACAP, 'supervisor', { structures: [acapStructure] }]]) {
    const res = await admin.postJson('/api/v1/users', {
      login: a.login, display_name: `${a.login} (tests)`, password: a.password, role, ...extra,
    });
    assert.equal(res.status, 201, res.text.slice(0, 300));
  }
  member = await signedIn(MEMBER);
  supAcap = await signedIn(SUP_ACAP);
  const book = await anon.get(`/groupes/${SLUG}/carnet`);
  assert.equal(book.status, 200);
  entryId = book.text.match(new RegExp(`href="/groupes/${SLUG}/carnet/(\\d+)">Premier jour`))?.[1];
  assert.ok(entryId, 'the public entry of the demo group');
  const full = await jeune.get(`/groupes/${SLUG}/carnet`);
  networkEntryId = full.text.match(new RegExp(`href="/groupes/${SLUG}/carnet/(\\d+)">Le découpage`))?.[1];
  assert.ok(networkEntryId, 'the network entry of the demo group');
});

after(async () => {
  if (server) await server.stop();
});

const entryPath = () => `/groupes/${SLUG}/carnet/${entryId}`;

/** The comment id a POST redirected to. */
function commentId(res) {
  assert.equal(res.status, 303, `${res.status}: ${res.text.slice(0, 500)}`);
  const m = res.location.match(new RegExp(`^/groupes/${SLUG}/carnet/${entryId}#commentaire-(\\d+)$`));
  assert.ok(m, `redirect to the comment: ${res.location}`);
  return m[1];
}

/** A page's text with apostrophes as typed (templates write them &#39;). */
function text(res) {
  return res.text.replaceAll('&#39;', "'");
}

/** The <li> of comment id on a page, or null. */
function commentBlock(html, id) {
  const m = html.replaceAll('&#39;', "'").match(new RegExp(`<li id="commentaire-${id}"[\\s\\S]*?</li>`));
  return m ? m[0] : null;
}

// ---- the document's schemas (the subset of JSON Schema it uses) ---------------------------

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

function validate(schema, value, where = '$', strict = true) {
  const errors = [];
  if (!schema || schema === true) return errors;
  if (schema.$ref) return validate(resolve(schema.$ref), value, where, strict);
  if (schema.allOf) {
    for (const s of schema.allOf) errors.push(...validate(s, value, where, false));
    return errors;
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
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${where}[${i}]`, strict)));
  if (typeOf(value) === 'object') {
    for (const k of schema.required || []) if (!(k in value)) errors.push(`${where}: missing ${k}`);
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...validate(props[k], v, `${where}.${k}`, strict));
      else if (strict && schema.properties && schema.additionalProperties === undefined) errors.push(`${where}: undocumented member ${k}`);
    }
  }
  return errors;
}

/** Asserts the status, that the document gives it for the operation, and the body's schema. */
function expectDoc(res, status, method, docPath) {
  const what = `${method.toUpperCase()} ${docPath}`;
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text.slice(0, 500)}`);
  const op = doc.paths[docPath]?.[method];
  assert.ok(op, `${what}: not documented`);
  let r = op.responses[String(status)];
  assert.ok(r, `${what}: ${status} not documented`);
  if (r.$ref) r = resolve(r.$ref);
  const ctype = res.contentType.split(';')[0];
  const media = r.content?.[ctype];
  assert.ok(media, `${what}: ${ctype} not documented for ${status}`);
  const body = res.json();
  const errors = validate(media.schema, body);
  assert.deepEqual(errors, [], `${what}: ${errors.join('\n')}\n${res.text.slice(0, 600)}`);
  return body;
}

// ---- the pages ----------------------------------------------------------------------------

describe('comments on an entry page', () => {
  let memberComment;
  let pending;

  test('anonymous visitors see the comments section, a login link, and cannot post', async () => {
    const page = await anon.get(entryPath());
    assert.equal(page.status, 200);
    assert.match(text(page), /Aucun commentaire pour l'instant/);
    assert.match(text(page), /href="\/connexion\?next=%2Fgroupes%2Fdemo-lumieres-du-quartier%2Fcarnet%2F\d+"/);
    assert.doesNotMatch(text(page), /name="body"/);
    assert.match(text(page), new RegExp(`href="/signaler\\?type=entry&amp;id=${entryId}"`));
    const res = await anon.post(`${entryPath()}/commentaires`, { body: 'Bonjour' });
    assert.equal(res.status, 401);
    const api = await anon.postJson(`/api/v1/entries/${entryId}/comments`, { body: 'Bonjour' });
    expectDoc(api, 401, 'post', '/api/v1/entries/{id}/comments');
  });

  test('a member of the network comments: published at once, a young author unnamed outside the circle', async () => {
    memberComment = commentId(await member.post(`${entryPath()}/commentaires`, { body: 'Très belle idée !\nBravo <b>à tous</b>.' }));
    const page = await member.get(entryPath());
    assert.match(text(page), /Commentaire publié/);
    const seen = commentBlock((await anon.get(entryPath())).text, memberComment);
    assert.ok(seen, 'anonymous visitors see the comment');
    assert.match(seen, /Très belle idée !<br>Bravo &lt;b&gt;à tous&lt;\/b&gt;\./);
    assert.match(seen, /Un participant/);
    assert.doesNotMatch(seen, /lecteur-reseau/);
    assert.match(commentBlock(page.text, memberComment), /lecteur-reseau/, 'the author reads their own name');
    // adults sign with their name
    const other = commentId(await supAcap.post(`${entryPath()}/commentaires`, { body: 'Belle initiative.' }));
    assert.match(commentBlock((await anon.get(entryPath())).text, other), /encadrant-acap \(tests\)/);
  });

  test('the body: empty is 422 in French, 2000 characters pass, 2001 are 422 with the text kept', async () => {
    let res = await member.post(`${entryPath()}/commentaires`, { body: '   ' });
    assert.equal(res.status, 422);
    assert.match(text(res), /Le commentaire est vide/);
    assert.match(text(res), /aria-invalid="true"/);
    const long = 'é'.repeat(2001);
    res = await member.post(`${entryPath()}/commentaires`, { body: long });
    assert.equal(res.status, 422);
    assert.match(text(res), /2000 caractères/);
    assert.ok(res.text.includes(long), 'the refused text is given back');
    commentId(await member.post(`${entryPath()}/commentaires`, { body: 'é'.repeat(2000) }));
  });

  test('a participant of the group waits for approval; the coordinator approves from /moderation', async () => {
    const form = await jeune.get(entryPath());
    assert.match(text(form), /sera visible une fois approuvé/);
    pending = commentId(await jeune.post(`${entryPath()}/commentaires`, { body: 'Je joue la voisine !' }));
    const mine = await jeune.get(entryPath());
    assert.match(text(mine), /Commentaire enregistré : il sera visible une fois approuvé/);
    assert.match(commentBlock(mine.text, pending), /en attente d'approbation/);
    assert.equal(commentBlock((await anon.get(entryPath())).text, pending), null);
    assert.equal(commentBlock((await member.get(entryPath())).text, pending), null);
    assert.match(commentBlock((await sup.get(entryPath())).text, pending), /Approuver le commentaire/);

    const mod = await coord.get('/moderation');
    assert.equal(mod.status, 200);
    assert.match(text(mod), /Commentaires en attente d'approbation \(1\)/);
    assert.match(text(mod), /Entrées en attente d'approbation \(1\)/, "the demo participant's pending entry");
    assert.match(text(mod), /Je joue la voisine !/);
    assert.match(text(mod), /<strong>Lou<\/strong>/, 'managers read the name in the group');
    const res = await coord.post(`${entryPath()}/commentaires/${pending}/approuver`, { next: '/moderation' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/moderation');
    const after = await coord.get('/moderation');
    assert.match(text(after), /Commentaire approuvé/);
    assert.match(text(after), /Commentaires en attente d'approbation \(0\)/);
    assert.match(text(after), /Aucun commentaire en attente d'approbation/);
    const seen = commentBlock((await anon.get(entryPath())).text, pending);
    assert.ok(seen, 'published');
    assert.match(seen, /Un participant/);
    assert.doesNotMatch(seen, /Lou/);
    assert.match(commentBlock((await coord.get(entryPath())).text, pending), /Lou/);
  });

  test('a manager hides a comment (kept, greyed for managers) and shows it again', async () => {
    assert.equal((await jeune.post(`${entryPath()}/commentaires/${memberComment}/masquer`, {})).status, 403);
    assert.equal((await supAcap.post(`${entryPath()}/commentaires/${memberComment}/masquer`, {})).status, 403);
    const res = await sup.post(`${entryPath()}/commentaires/${memberComment}/masquer`, {});
    assert.equal(res.status, 303);
    assert.equal(commentBlock((await anon.get(entryPath())).text, memberComment), null);
    assert.equal(commentBlock((await member.get(entryPath())).text, memberComment), null);
    const managed = commentBlock((await coord.get(entryPath())).text, memberComment);
    assert.match(managed, /comment-hidden/);
    assert.match(managed, /Masqué par Yanis Encadrant \(démo\)/);
    assert.match(managed, /Afficher de nouveau/);
    const journal = await coord.get(`/groupes/${SLUG}/journal`);
    assert.match(text(journal), /Commentaire masqué/);
    assert.equal((await coord.post(`${entryPath()}/commentaires/${memberComment}/afficher`, {})).status, 303);
    assert.ok(commentBlock((await anon.get(entryPath())).text, memberComment));
  });
});

describe('reports and the moderation page', () => {
  let reportId;

  test('anonymous visitors report a public entry through a form with their own CSRF token', async () => {
    const visitor = new Client(server.url);
    const form = await visitor.get(`/signaler?type=entry&id=${entryId}`);
    assert.equal(form.status, 200);
    assert.match(text(form), /Vous signalez l'entrée « Premier jour/);
    assert.ok(visitor.cookies.get('lanterne_csrf'), 'a nonce cookie for the form');
    assert.match(text(form), /name="_csrf" value="[^"]+"/);
    let res = await visitor.post('/signaler', { type: 'entry', id: entryId, note: 'Sans raison' });
    assert.equal(res.status, 422);
    assert.match(text(res), /Choisissez la raison du signalement/);
    assert.match(text(res), /Sans raison/);
    res = await visitor.post('/signaler', { type: 'entry', id: entryId, reason: 'minor_data', note: 'Un nom de famille apparaît.' });
    assert.equal(res.status, 303, res.text.slice(0, 400));
    assert.equal(res.location, entryPath());
    assert.match(text(await visitor.get(entryPath())), /votre signalement a été transmis/);
    // what the visitor cannot see cannot be reported: the same 404 as nothing at all
    assert.equal((await visitor.get(`/signaler?type=entry&id=${networkEntryId}`)).status, 404);
    assert.equal((await visitor.post('/signaler', { type: 'entry', id: networkEntryId, reason: 'other' })).status, 404);
    assert.equal((await visitor.get('/signaler?type=entry&id=99999999')).status, 404);
    assert.equal((await visitor.get('/signaler?type=video&id=1')).status, 404);
  });

  test("the report is in the coordinator's queue, not in another coordination's supervisor's", async () => {
    const mod = await coord.get('/moderation');
    assert.match(text(mod), /Signalements ouverts \(1\)/);
    assert.match(text(mod), /Informations personnelles sur un mineur/);
    assert.match(text(mod), /Un nom de famille apparaît\./);
    assert.match(text(mod), new RegExp(`href="${entryPath()}">Entrée du carnet : Premier jour`));
    reportId = mod.text.match(/action="\/moderation\/signalements\/(\d+)\/clore"/)?.[1];
    assert.ok(reportId);
    assert.match(text(await sup.get('/moderation')), /Signalements ouverts \(1\)/);
    const other = await supAcap.get('/moderation');
    assert.equal(other.status, 200);
    assert.match(text(other), /Signalements ouverts \(0\)/);
    assert.match(text(other), /Aucun signalement ouvert/);
    assert.match(text(other), /Aucune entrée en attente d'approbation/);
    assert.equal((await jeune.get('/moderation')).status, 403);
    const a = await anon.get('/moderation');
    assert.equal(a.status, 303);
    assert.match(a.location, /^\/connexion\?next=/);
  });

  test('closing a report: who and when recorded, with an optional note (its limit is 422)', async () => {
    assert.equal((await supAcap.post(`/moderation/signalements/${reportId}/clore`, {})).status, 403);
    let res = await coord.post(`/moderation/signalements/${reportId}/clore`, { resolution: 'x'.repeat(1001) });
    assert.equal(res.status, 422);
    assert.match(text(res), /1000 caractères/);
    res = await coord.post(`/moderation/signalements/${reportId}/clore`, { resolution: 'Nom retiré avec le groupe.' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/moderation');
    const mod = await coord.get('/moderation');
    assert.match(text(mod), /Signalement clos/);
    assert.match(text(mod), /Signalements ouverts \(0\)/);
    assert.equal((await coord.post(`/moderation/signalements/${reportId}/clore`, {})).status, 409);
    assert.match(text(await coord.get(`/groupes/${SLUG}/journal`)), /Signalement clos/);
  });

  test('a comment is reported from its own link', async () => {
    const page = await anon.get(entryPath());
    const id = page.text.match(/href="\/signaler\?type=comment&amp;id=(\d+)"/)?.[1];
    assert.ok(id, 'published comments have a report link');
    const form = await anon.get(`/signaler?type=comment&id=${id}`);
    assert.equal(form.status, 200);
    assert.match(text(form), /Vous signalez un commentaire/);
    const res = await anon.post('/signaler', { type: 'comment', id, reason: 'offensive' });
    assert.equal(res.status, 303);
    assert.equal(res.location, `${entryPath()}#commentaire-${id}`);
    assert.match(text(await coord.get('/moderation')), /Signalements ouverts \(1\)/);
  });
});

// ---- the API ------------------------------------------------------------------------------

describe('the comments API', () => {
  let created;

  test('GET /api/v1/entries/{id}/comments: what the caller may see', async () => {
    const body = expectDoc(await anon.get(`/api/v1/entries/${entryId}/comments`), 200, 'get', '/api/v1/entries/{id}/comments');
    assert.ok(body.items.length >= 3);
    for (const c of body.items) {
      assert.equal(c.status, 'published');
      assert.equal(c.hidden, false);
    }
    assert.ok(body.items.some((c) => c.author.name === null && c.author.id === null), 'young authors unnamed');
    expectDoc(await anon.get(`/api/v1/entries/${networkEntryId}/comments`), 404, 'get', '/api/v1/entries/{id}/comments');
    expectDoc(await anon.get('/api/v1/entries/99999999/comments'), 404, 'get', '/api/v1/entries/{id}/comments');
  });

  test('POST /api/v1/entries/{id}/comments: 201 with Location; the limits are 422 on body', async () => {
    let res = await member.postJson(`/api/v1/entries/${entryId}/comments`, { body: 'Par l\'API.' });
    created = expectDoc(res, 201, 'post', '/api/v1/entries/{id}/comments');
    assert.equal(res.location, `/api/v1/comments/${created.id}`);
    assert.equal(created.status, 'published');
    assert.equal(created.author.name, 'lecteur-reseau (tests)', 'callers read their own name');
    const again = expectDoc(await anon.get(res.location), 200, 'get', '/api/v1/comments/{id}');
    assert.equal(again.author.name, null);
    for (const body of ['', 'a'.repeat(2001)]) {
      const p = expectDoc(await member.postJson(`/api/v1/entries/${entryId}/comments`, { body }), 422, 'post', '/api/v1/entries/{id}/comments');
      assert.ok(p.errors?.body, JSON.stringify(p));
    }
    const p = expectDoc(await member.postJson(`/api/v1/entries/${entryId}/comments`, { body: 12 }), 422, 'post', '/api/v1/entries/{id}/comments');
    assert.ok(p.errors?.body);
    res = await member.postJson(`/api/v1/entries/${entryId}/comments`, { body: 'b'.repeat(2000) });
    expectDoc(res, 201, 'post', '/api/v1/entries/{id}/comments');
    // a participant of the group waits for approval here too
    res = await jeune.postJson(`/api/v1/entries/${entryId}/comments`, { body: 'Moi aussi.' });
    const waiting = expectDoc(res, 201, 'post', '/api/v1/entries/{id}/comments');
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.author.name, 'Lou');
    expectDoc(await anon.get(`/api/v1/comments/${waiting.id}`), 404, 'get', '/api/v1/comments/{id}');
    const queue = expectDoc(await coord.get('/api/v1/moderation'), 200, 'get', '/api/v1/moderation');
    assert.equal(queue.comments.total, 1);
    assert.equal(queue.comments.items[0].id, waiting.id);
    assert.equal(queue.comments.items[0].group.slug, SLUG);
    assert.equal(queue.entries.total, 1);
    assert.equal(queue.reports.total, 1);
    assert.equal(queue.reports.items[0].type, 'comment');
    expectDoc(await jeune.postJson(`/api/v1/comments/${waiting.id}/approve`, {}), 403, 'post', '/api/v1/comments/{id}/approve');
    const ok = expectDoc(await sup.postJson(`/api/v1/comments/${waiting.id}/approve`, {}), 200, 'post', '/api/v1/comments/{id}/approve');
    assert.equal(ok.status, 'published');
  });

  test('POST /api/v1/comments/{id}/hide, and {"hidden": false}', async () => {
    expectDoc(await member.postJson(`/api/v1/comments/${created.id}/hide`, {}), 403, 'post', '/api/v1/comments/{id}/hide');
    expectDoc(await supAcap.postJson(`/api/v1/comments/${created.id}/hide`, {}), 403, 'post', '/api/v1/comments/{id}/hide');
    let c = expectDoc(await sup.request('POST', `/api/v1/comments/${created.id}/hide`), 200, 'post', '/api/v1/comments/{id}/hide');
    assert.equal(c.hidden, true);
    assert.equal(c.hidden_by, 'Yanis Encadrant (démo)');
    expectDoc(await anon.get(`/api/v1/comments/${created.id}`), 404, 'get', '/api/v1/comments/{id}');
    expectDoc(await sup.postJson(`/api/v1/comments/${created.id}/hide`, { hidden: 'non' }), 422, 'post', '/api/v1/comments/{id}/hide');
    c = expectDoc(await sup.postJson(`/api/v1/comments/${created.id}/hide`, { hidden: false }), 200, 'post', '/api/v1/comments/{id}/hide');
    assert.equal(c.hidden, false);
    assert.equal(c.hidden_by, null);
    expectDoc(await sup.postJson('/api/v1/comments/99999999/hide', {}), 404, 'post', '/api/v1/comments/{id}/hide');
  });

  test('GET /api/v1/moderation is for supervisors and above; scoped', async () => {
    expectDoc(await jeune.get('/api/v1/moderation'), 403, 'get', '/api/v1/moderation');
    expectDoc(await anon.get('/api/v1/moderation'), 401, 'get', '/api/v1/moderation');
    const other = expectDoc(await supAcap.get('/api/v1/moderation'), 200, 'get', '/api/v1/moderation');
    assert.equal(other.reports.total, 0);
    assert.equal(other.comments.total, 0);
    assert.equal(other.entries.total, 0);
  });
});

describe('POST /api/v1/reports and the throttle', () => {
  test('anonymous callers report with their nonce token; refusals are problems', async () => {
    let res = await anon.postJson('/api/v1/reports', { type: 'entry', id: Number(entryId), reason: 'other', note: null });
    const r = expectDoc(res, 202, 'post', '/api/v1/reports');
    assert.equal(r.status, 'open');
    res = await anon.postJson('/api/v1/reports', { type: 'entry', id: Number(networkEntryId), reason: 'other' });
    expectDoc(res, 404, 'post', '/api/v1/reports');
    res = await anon.postJson('/api/v1/reports', { type: 'video', id: Number(entryId), reason: 'other' });
    assert.ok(expectDoc(res, 422, 'post', '/api/v1/reports').errors?.type);
    res = await anon.postJson('/api/v1/reports', { type: 'entry', id: 'un', reason: 'other' });
    assert.ok(expectDoc(res, 422, 'post', '/api/v1/reports').errors?.id);
    res = await anon.postJson('/api/v1/reports', { type: 'entry', id: Number(entryId), reason: 'other', note: 'n'.repeat(1001) });
    assert.ok(expectDoc(res, 422, 'post', '/api/v1/reports').errors?.note);
    res = await new Client(server.url).postJson('/api/v1/reports', { type: 'entry', id: Number(entryId), reason: 'other' }, { csrf: false });
    expectDoc(res, 403, 'post', '/api/v1/reports');
  });

  test('at most 10 reports an hour from one address, then 429 with a French message', async () => {
    // every report of this file came from 127.0.0.1: the entry (closed since), a comment, the API one
    let sent = 3;
    for (; sent < 10; sent++) {
      const res = await anon.post('/signaler', { type: 'entry', id: entryId, reason: 'other' });
      assert.equal(res.status, 303, `report ${sent + 1}: ${res.status} ${res.text.slice(0, 300)}`);
    }
    let res = await anon.post('/signaler', { type: 'entry', id: entryId, reason: 'other' });
    assert.equal(res.status, 429);
    assert.match(text(res), /Trop de signalements envoyés depuis votre connexion/);
    res = await member.postJson('/api/v1/reports', { type: 'entry', id: Number(entryId), reason: 'other' });
    const p = expectDoc(res, 429, 'post', '/api/v1/reports');
    assert.match(p.detail, /réessayez dans une heure/);
  });
});
