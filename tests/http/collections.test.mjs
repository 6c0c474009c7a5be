// Film collections through the site's forms and the API: the list of collections (empty
// state, owner, films each viewer may see), creating, editing and deleting a collection with
// CSRF-protected forms (422 re-shown on an empty title and one past FILM_COLLECTION_TITLE_MAX,
// accepted at the limit), adding films by number (unknown, invisible, already there) and
// removing them, the add-to-collection form on a film's page, PATCH and DELETE in the API,
// 403 for a coordinator of another coordination, 404 for what does not exist; an anonymous
// visitor sees only the public films of a collection.
//
// One server (a copy of the init + demo fixture: two public demo films and one for the
// network) for the file; the describe blocks build on each other in order.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, clientAs, login, runCli, startServer } from './lib/server.mjs';
import { unescapeHtml } from './lib/photos.mjs';

const TITLE_MAX = 160; // FILM_COLLECTION_TITLE_MAX (src/film.h)
const FOREIGN = { login: 'coord-corse', password: 'coord-corse-mot-de-passe' };

let server;
const who = {};
const s = {};

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', FOREIGN.login, '--name', 'Coordination Corse (tests)', '--role', 'coordinator',
          '--coordination', 'corse', '--password', FOREIGN.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${FOREIGN.login}: ${add.stderr}`);
    },
  });
  who.anon = await clientAs(server, 'anonymous');
  who.jeune = await clientAs(server, 'participant');
  who.sup = await clientAs(server, 'supervisor');
  who.coord = await clientAs(server, 'coordinator');
  who.admin = await clientAs(server, 'admin');
  who.foreign = new Client(server.url);
  await login(who.foreign, FOREIGN.login, FOREIGN.password);
  await who.foreign.csrf('/');
  // the demo films: the public ones and the one shown to the network only
  const list = await who.admin.get('/api/v1/films?per_page=100');
  assert.equal(list.status, 200, list.text.slice(0, 300));
  const films = list.json().items;
  s.pub = films.find((f) => f.visibility === 'public' && f.public);
  s.net = films.find((f) => f.visibility === 'network');
  assert.ok(s.pub && s.net, `the demo has a public film and a network film: ${JSON.stringify(films.map((f) => [f.title, f.visibility]))}`);
});

after(async () => {
  if (server) await server.stop();
});

/** The text of a page without tags, entities decoded: what a reader sees. */
const visible = (html) => unescapeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');

/** Follows a 303 and resolves the page (with the flash message). */
async function follow(client, res) {
  assert.equal(res.status, 303, `expected 303, got ${res.status}: ${res.text.slice(0, 600)}`);
  const page = await client.get(res.location);
  assert.equal(page.status, 200, `${res.location}: ${page.status}`);
  return page;
}

describe('the list of collections', () => {
  test('empty at first: an empty state, linked from the library; the create link only for those who may', async () => {
    const lib = await who.anon.get('/films');
    assert.match(lib.text, /href="\/films\/collections"/);
    const anon = await who.anon.get('/films/collections');
    assert.equal(anon.status, 200);
    assert.match(visible(anon.text), /Aucune collection pour le moment\./);
    assert.doesNotMatch(anon.text, /href="\/films\/collections\/nouvelle"/);
    assert.doesNotMatch((await who.sup.get('/films/collections')).text, /href="\/films\/collections\/nouvelle"/);
    assert.match((await who.coord.get('/films/collections')).text, /href="\/films\/collections\/nouvelle"/);
    assert.match((await who.admin.get('/films/collections')).text, /href="\/films\/collections\/nouvelle"/);
  });

  test('the new-collection form is for coordinators and admins; only admins choose the owner', async () => {
    const coord = await who.coord.get('/films/collections/nouvelle');
    assert.equal(coord.status, 200);
    assert.match(coord.text, /<input type="hidden" name="_csrf" value="[^"]+">/);
    assert.doesNotMatch(coord.text, /name="coordination"/);
    const admin = await who.admin.get('/films/collections/nouvelle');
    assert.match(admin.text, /<select id="fc-coordination" name="coordination"/);
    assert.match(admin.text, /<option value="hors-cadre">/);
    assert.equal((await who.sup.get('/films/collections/nouvelle')).status, 403);
    const anon = await who.anon.get('/films/collections/nouvelle');
    assert.equal(anon.status, 303);
    assert.match(anon.location, /^\/connexion/);
  });
});

describe('creating, editing', () => {
  test('422 on an empty title and one character past the limit, values and messages re-shown', async () => {
    const empty = await who.coord.post('/films/collections', { title: '   ', description: 'Gardée' });
    assert.equal(empty.status, 422);
    assert.match(empty.text, /aria-invalid="true"/);
    assert.match(visible(empty.text), /Donnez un titre à la collection\./);
    assert.match(empty.text, />Gardée<\/textarea>/, 'the description is kept');
    const long = await who.coord.post('/films/collections', { title: 'é'.repeat(TITLE_MAX + 1) });
    assert.equal(long.status, 422);
    assert.match(visible(long.text), new RegExp(`au plus ${TITLE_MAX} caractères`));
    // nothing was stored
    const list = await who.anon.get('/api/v1/collections');
    assert.equal(list.json().total, 0);
    // at the limit (characters, not bytes): accepted
    const edge = await who.coord.post('/films/collections', { title: 'é'.repeat(TITLE_MAX) });
    assert.equal(edge.status, 303, edge.text.slice(0, 500));
    s.edgeUrl = edge.location;
  });

  test('without a CSRF token the form is refused', async () => {
    const res = await who.coord.request('POST', '/films/collections', { form: { title: 'Sans jeton' }, csrf: false });
    assert.equal(res.status, 403);
  });

  test("a coordinator creates a collection of their coordination through the form", async () => {
    const res = await who.coord.post('/films/collections', { title: 'Sélection Hors Cadre', description: 'Les films du nord de la région.' });
    const page = await follow(who.coord, res);
    assert.equal(res.location, '/films/collections/selection-hors-cadre');
    s.slug = 'selection-hors-cadre';
    s.url = res.location;
    assert.match(visible(page.text), /Collection créée : ajoutez-y des films\./);
    assert.match(visible(page.text), /Hors Cadre/, 'the owner coordination is named');
    assert.match(page.text, /href="\/films\/collections\/selection-hors-cadre\/modifier"/);
    const api = await who.anon.get(`/api/v1/collections/${s.slug}`);
    assert.equal(api.status, 200);
    assert.equal(typeof api.json().coordination_id, 'number');
  });

  test('an admin creates a national collection, choosing no coordination', async () => {
    const res = await who.admin.post('/films/collections', { coordination: '', title: 'Coups de cœur nationaux' });
    const page = await follow(who.admin, res);
    s.national = res.location.split('/').pop();
    assert.match(visible(page.text), /Collection nationale/);
    assert.equal((await who.anon.get(`/api/v1/collections/${s.national}`)).json().coordination_id, null);
    const bad = await who.admin.post('/films/collections', { coordination: 'nulle-part', title: 'Perdue' });
    assert.equal(bad.status, 422);
    assert.match(visible(bad.text), /Choisissez une coordination de la liste\./);
  });

  test('the edit form: 422 on an empty or too long title, then saved; the address stays', async () => {
    const form = await who.coord.get(`${s.url}/modifier`);
    assert.equal(form.status, 200);
    assert.match(form.text, /value="Sélection Hors Cadre"/);
    const empty = await who.coord.post(`${s.url}/modifier`, { title: '', description: 'x' });
    assert.equal(empty.status, 422);
    assert.match(visible(empty.text), /Donnez un titre à la collection\./);
    const long = await who.coord.post(`${s.url}/modifier`, { title: 'x'.repeat(TITLE_MAX + 1), description: '' });
    assert.equal(long.status, 422);
    assert.match(long.text, /aria-invalid="true"/);
    const ok = await who.coord.post(`${s.url}/modifier`, { title: 'Sélection du Nord', description: 'Des films du Nord et du Pas-de-Calais.' });
    const page = await follow(who.coord, ok);
    assert.equal(ok.location, s.url);
    assert.match(visible(page.text), /Collection enregistrée\./);
    assert.match(page.text, /<h1>Sélection du Nord<\/h1>/);
  });
});

describe('the films of a collection', () => {
  test('films are added by their number; unknown, malformed and repeated numbers are refused with 422', async () => {
    const add1 = await who.coord.post(`${s.url}/films`, { film_id: String(s.pub.id) });
    assert.match(visible((await follow(who.coord, add1)).text), /Film ajouté à la collection\./);
    const add2 = await who.coord.post(`${s.url}/films`, { film_id: ` #${s.net.id} ` });
    assert.equal(add2.status, 303, add2.text.slice(0, 500));
    const again = await who.coord.post(`${s.url}/films`, { film_id: String(s.pub.id) });
    assert.equal(again.status, 422);
    assert.match(visible(again.text), /est déjà dans cette collection\./);
    assert.match(again.text, /aria-invalid="true"/);
    const none = await who.coord.post(`${s.url}/films`, { film_id: '999999' });
    assert.equal(none.status, 422);
    assert.match(visible(none.text), /Aucun film n° 999999 parmi ceux que vous pouvez voir\./);
    assert.match(none.text, /value="999999"/, 'the number typed is kept');
    const word = await who.coord.post(`${s.url}/films`, { film_id: 'douze' });
    assert.equal(word.status, 422);
    assert.match(visible(word.text), /Indiquez le numéro du film/);
  });

  test('a film its manager cannot see cannot be added (the same message as no film)', async () => {
    // a draft film of a group: seen only by those who may edit it
    const draft = await who.admin.postJson('/api/v1/films', { group: 'demo-lumieres-du-quartier', title: 'Brouillon invisible' });
    assert.equal(draft.status, 201, draft.text);
    s.draft = draft.json().id;
    const res = await who.foreign.post(`/films/collections/${s.national}/films`, { film_id: String(s.draft) });
    assert.equal(res.status, 403, 'and a foreign coordinator may not touch a national collection anyway');
    const corse = await who.foreign.post('/films/collections', { title: 'Sélection corse' });
    assert.equal(corse.status, 303, corse.text.slice(0, 400));
    s.corse = corse.location;
    const hidden = await who.foreign.post(`${s.corse}/films`, { film_id: String(s.draft) });
    assert.equal(hidden.status, 422);
    assert.match(visible(hidden.text), new RegExp(`Aucun film n° ${s.draft} parmi ceux que vous pouvez voir\\.`));
  });

  test('an anonymous visitor sees only the public films; the network sees both; counts follow the viewer', async () => {
    const anon = await who.anon.get(s.url);
    assert.equal(anon.status, 200);
    assert.ok(visible(anon.text).includes(s.pub.title), 'the public film is listed');
    assert.ok(!visible(anon.text).includes(s.net.title), 'the network film is not');
    assert.doesNotMatch(anon.text, /name="film_id"/, 'no management form');
    assert.doesNotMatch(anon.text, /\/retirer"/);
    const jeune = await who.jeune.get(s.url);
    assert.ok(visible(jeune.text).includes(s.net.title), 'a signed-in member of the network sees the network film');
    assert.equal((await who.anon.get(`/api/v1/collections/${s.slug}`)).json().films.length, 1);
    assert.equal((await who.jeune.get(`/api/v1/collections/${s.slug}`)).json().films.length, 2);
    const listAnon = visible((await who.anon.get('/films/collections')).text);
    assert.match(listAnon, /Sélection du Nord Hors Cadre · 1 film /);
    const listCoord = visible((await who.coord.get('/films/collections')).text);
    assert.match(listCoord, /Sélection du Nord Hors Cadre · 2 films /);
    assert.match(listCoord, /Des films du Nord et du Pas-de-Calais\./, 'the description excerpt');
    assert.match(listCoord, /Coups de cœur nationaux Collection nationale · aucun film visible /);
  });

  test('a manager removes a film with its own small form; the film itself stays', async () => {
    const page = await who.coord.get(s.url);
    const action = `/films/collections/${s.slug}/films/${s.net.id}/retirer`;
    assert.match(page.text, new RegExp(`<form method="post" action="${action}" class="inline">\\s*<input type="hidden" name="_csrf"`));
    const res = await who.coord.post(action, {});
    const after = await follow(who.coord, res);
    assert.match(visible(after.text), /Film retiré de la collection\./);
    assert.ok(!visible(after.text).includes(s.net.title));
    assert.equal((await who.coord.get(`/films/${s.net.id}`)).status, 200, 'the film is still there');
    assert.equal((await who.coord.get(`/api/v1/collections/${s.slug}`)).json().films.length, 1);
  });

  test("on a film's page: a manager adds it to one of their collections; others get no form", async () => {
    const page = await who.coord.get(`/films/${s.net.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`<form method="post" action="/films/${s.net.id}/collections"`));
    assert.match(page.text, new RegExp(`<option value="${s.slug}">Sélection du Nord</option>`));
    assert.doesNotMatch(page.text, new RegExp(`<option value="${s.national}">`), 'a national collection is the admins\'');
    const res = await who.coord.post(`/films/${s.net.id}/collections`, { collection: s.slug });
    const back = await follow(who.coord, res);
    assert.equal(res.location, `/films/${s.net.id}`);
    assert.match(visible(back.text), /Film ajouté à la collection\./);
    assert.match(back.text, new RegExp(`<a class="tag" href="/films/collections/${s.slug}">Sélection du Nord</a>`));
    assert.doesNotMatch(back.text, new RegExp(`<option value="${s.slug}">`), 'no longer offered');
    // errors: nothing chosen, already in it
    const none = await who.coord.post(`/films/${s.net.id}/collections`, { collection: '' });
    assert.equal(none.status, 422);
    assert.match(visible(none.text), /Choisissez une collection de la liste\./);
    const twice = await who.coord.post(`/films/${s.net.id}/collections`, { collection: s.slug });
    assert.equal(twice.status, 422);
    assert.match(visible(twice.text), /est déjà dans cette collection\./);
    // others: no form; a foreign coordinator is refused
    assert.doesNotMatch((await who.anon.get(`/films/${s.pub.id}`)).text, /\/collections" class="inline/);
    assert.doesNotMatch((await who.sup.get(`/films/${s.pub.id}`)).text, /Ajouter à une collection/);
    const foreign = await who.foreign.post(`/films/${s.pub.id}/collections`, { collection: s.slug });
    assert.equal(foreign.status, 403);
    assert.equal((await who.sup.post(`/films/${s.pub.id}/collections`, { collection: s.slug })).status, 403);
  });
});

describe('another coordination, and what does not exist', () => {
  test('a coordinator of another coordination gets 403 on every way of managing the collection', async () => {
    const f = who.foreign;
    const tries = [
      ['GET', `${s.url}/modifier`, {}],
      ['POST', `${s.url}/modifier`, { form: { title: 'Renommée par un tiers' } }],
      ['GET', `${s.url}/supprimer`, {}],
      ['POST', `${s.url}/supprimer`, { form: {} }],
      ['POST', `${s.url}/films`, { form: { film_id: String(s.pub.id) } }],
      ['POST', `${s.url}/films/${s.pub.id}/retirer`, { form: {} }],
      ['POST', '/films/collections', { form: { coordination: 'hors-cadre', title: 'Pour les autres' } }],
      ['PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'Renommée par un tiers' } }],
      ['DELETE', `/api/v1/collections/${s.slug}`, {}],
    ];
    const problems = [];
    for (const [method, p, opts] of tries) {
      const res = await f.request(method, p, opts);
      if (res.status !== 403) problems.push(`${method} ${p} → ${res.status} (expected 403)`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    const still = await who.anon.get(`/api/v1/collections/${s.slug}`);
    assert.equal(still.json().title, 'Sélection du Nord');
    assert.equal(still.json().films.length, 1);
    // the collection list offers them no edit link for it
    const list = await f.get('/films/collections');
    assert.doesNotMatch(list.text, new RegExp(`href="${s.url}/modifier"`));
  });

  test('404 for a collection or a film that does not exist', async () => {
    const problems = [];
    const tries = [
      ['GET', '/films/collections/inexistante', {}],
      ['GET', '/films/collections/inexistante/modifier', {}],
      ['POST', '/films/collections/inexistante/modifier', { form: { title: 'x' } }],
      ['GET', '/films/collections/inexistante/supprimer', {}],
      ['POST', '/films/collections/inexistante/supprimer', { form: {} }],
      ['POST', '/films/collections/inexistante/films', { form: { film_id: '1' } }],
      ['POST', `${s.url}/films/abc/retirer`, { form: {} }],
      ['POST', '/films/999999/collections', { form: { collection: s.slug } }],
      ['PATCH', '/api/v1/collections/inexistante', { json: { title: 'x' } }],
      ['DELETE', '/api/v1/collections/inexistante', {}],
    ];
    for (const [method, p, opts] of tries) {
      const res = await who.admin.request(method, p, opts);
      if (res.status !== 404) problems.push(`${method} ${p} → ${res.status} (expected 404)`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});

describe('the API: PATCH and DELETE', () => {
  test('PATCH changes the title and description; 422 names the field; the slug stays', async () => {
    const ok = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { description: 'Nouvelle description.' } });
    assert.equal(ok.status, 200, ok.text);
    const body = ok.json();
    assert.equal(body.slug, s.slug);
    assert.equal(body.title, 'Sélection du Nord', 'an absent title is kept');
    assert.equal(body.description, 'Nouvelle description.');
    for (const k of ['id', 'slug', 'title', 'description', 'coordination_id']) assert.ok(k in body, k);
    const t = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'Le Nord en films' } });
    assert.equal(t.status, 200);
    assert.equal(t.json().title, 'Le Nord en films');
    const empty = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: '' } });
    assert.equal(empty.status, 422);
    assert.match(empty.contentType, /application\/problem\+json/);
    assert.ok(empty.json().errors.title, empty.text);
    const long = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'x'.repeat(TITLE_MAX + 1) } });
    assert.equal(long.status, 422);
    const wrong = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 12 } });
    assert.equal(wrong.status, 422);
    const edge = await who.coord.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'y'.repeat(TITLE_MAX) } });
    assert.equal(edge.status, 200);
    assert.equal((await who.sup.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'x' } })).status, 403);
    assert.equal((await who.anon.request('PATCH', `/api/v1/collections/${s.slug}`, { json: { title: 'x' } })).status, 401);
  });

  test('DELETE removes the list, not its films', async () => {
    const del = await who.admin.delete(`/api/v1/collections/${s.national}`);
    assert.equal(del.status, 204, del.text);
    assert.equal((await who.anon.get(`/api/v1/collections/${s.national}`)).status, 404);
    assert.equal((await who.anon.get(`/films/collections/${s.national}`)).status, 404);
  });
});

describe('deleting through the form', () => {
  test('a confirmation page, then the collection is gone and its films stay', async () => {
    const confirm = await who.coord.get(`${s.url}/supprimer`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, new RegExp(`<form method="post" action="${s.url}/supprimer"`));
    assert.match(visible(confirm.text), /les films qu'elle contient ne sont pas supprimés/);
    const res = await who.coord.post(`${s.url}/supprimer`, {});
    const list = await follow(who.coord, res);
    assert.equal(res.location, '/films/collections');
    assert.match(visible(list.text), /Collection supprimée\./);
    assert.equal((await who.anon.get(s.url)).status, 404);
    assert.equal((await who.anon.get(`/films/${s.pub.id}`)).status, 200, 'its films are still there');
    // the other collections are untouched
    assert.equal((await who.anon.get(s.edgeUrl)).status, 200);
    assert.equal((await who.anon.get(s.corse)).status, 200);
  });
});
