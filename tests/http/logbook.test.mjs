// Logbook pages: the demo supervisor writes entries in a new group's logbook (public, network),
// edits one (history kept), deletes and restores it; an anonymous visitor sees the public
// entry of a public group and nothing else; Markdown comes out sanitized.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { clientAs, startServer } from './lib/server.mjs';

let server;
let sup;
let anon;
let part;

before(async () => {
  server = await startServer();
  sup = await clientAs(server, 'supervisor');
  anon = await clientAs(server, 'anonymous');
  part = await clientAs(server, 'participant');
});

after(async () => {
  if (server) await server.stop();
});

/** The id of the entry a POST redirected to. */
function entryId(res, slug) {
  assert.equal(res.status, 303, `${res.status}: ${res.text.slice(0, 400)}`);
  const m = res.location.match(new RegExp(`^/groupes/${slug}/carnet/(\\d+)$`));
  assert.ok(m, `redirect to the entry: ${res.location}`);
  return m[1];
}

describe('a supervisor keeps a logbook', () => {
  let slug;
  let pub;
  let net;

  test('creates a public group whose page links to its logbook', async () => {
    const form = await sup.get('/groupes/nouveau');
    const structure = form.text.match(/<option value="(\d+)"/)[1];
    const res = await sup.post('/groupes', {
      title: 'Atelier carnet de bord',
      year: '2026',
      structure_id: structure,
      status: 'in_progress',
      visibility: 'public',
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    slug = res.location.split('/').pop();
    const page = await anon.get(`/groupes/${slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`href="/groupes/${slug}/carnet"`));
    const book = await sup.get(`/groupes/${slug}/carnet`);
    assert.equal(book.status, 200);
    assert.match(book.text, /Aucune entrée/);
    assert.match(book.text, /name="body_md"/);
    const anonBook = await anon.get(`/groupes/${slug}/carnet`);
    assert.equal(anonBook.status, 200);
    assert.doesNotMatch(anonBook.text, /name="body_md"/, 'no form for visitors');
  });

  test('a missing title comes back 422 with the text kept', async () => {
    const res = await sup.post(`/groupes/${slug}/carnet`, { title: '', body_md: 'Gardé', visibility: 'public' });
    assert.equal(res.status, 422);
    assert.match(res.text, /aria-describedby="lb-title-error"/);
    assert.match(res.text, /Gardé/);
  });

  test('writes a public and a network entry, published at once', async () => {
    pub = entryId(
      await sup.post(`/groupes/${slug}/carnet`, {
        title: 'Premier tournage',
        entry_date: '2026-03-02',
        body_md: 'Nous avons **tourné**.\n\n<script>alert(1)</script>\n\n[piège](javascript:alert(1))',
        visibility: 'public',
      }),
      slug,
    );
    net = entryId(
      await sup.post(`/groupes/${slug}/carnet`, { title: 'Réunion du réseau', body_md: 'Entre nous.', visibility: 'network' }),
      slug,
    );
    const page = await sup.get(`/groupes/${slug}/carnet/${pub}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Entrée publiée/);
    assert.match(page.text, /<strong>tourné<\/strong>/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.doesNotMatch(page.text, /javascript:/);
    assert.match(page.text, /historique/);
  });

  test('anonymous visitors see the public entry only; members of the network both', async () => {
    const book = await anon.get(`/groupes/${slug}/carnet`);
    assert.match(book.text, /Premier tournage/);
    assert.doesNotMatch(book.text, /Réunion du réseau/);
    assert.equal((await anon.get(`/groupes/${slug}/carnet/${pub}`)).status, 200);
    assert.equal((await anon.get(`/groupes/${slug}/carnet/${net}`)).status, 404);
    const seen = await part.get(`/groupes/${slug}/carnet`);
    assert.match(seen.text, /Premier tournage/);
    assert.match(seen.text, /Réunion du réseau/);
    // a participant of another group may not edit it
    assert.equal((await part.get(`/groupes/${slug}/carnet/${pub}/modifier`)).status, 403);
  });

  test('an edit keeps the previous text in the history', async () => {
    const form = await sup.get(`/groupes/${slug}/carnet/${pub}/modifier`);
    assert.equal(form.status, 200);
    assert.match(form.text, /Premier tournage/);
    const res = await sup.post(`/groupes/${slug}/carnet/${pub}`, {
      title: 'Premier jour de tournage',
      body_md: 'Texte corrigé.',
      entry_date: '2026-03-02',
      visibility: 'public',
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const hist = await sup.get(`/groupes/${slug}/carnet/${pub}/historique`);
    assert.equal(hist.status, 200);
    assert.match(hist.text, /Premier tournage/);
    assert.match(hist.text, /Nous avons \*\*tourné\*\*/);
    assert.equal((await part.get(`/groupes/${slug}/carnet/${pub}/historique`)).status, 403);
    assert.match((await anon.get(`/groupes/${slug}/carnet`)).text, /Premier jour de tournage/);
  });

  test('delete after confirmation, then undo', async () => {
    const confirm = await sup.get(`/groupes/${slug}/carnet/${pub}/supprimer`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /30 jours/);
    const del = await sup.post(`/groupes/${slug}/carnet/${pub}/supprimer`, {});
    assert.equal(del.status, 303);
    assert.doesNotMatch((await anon.get(`/groupes/${slug}/carnet`)).text, /Premier jour de tournage/);
    assert.equal((await anon.get(`/groupes/${slug}/carnet/${pub}`)).status, 404);
    const page = await sup.get(`/groupes/${slug}/carnet/${pub}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /\/restaurer"/);
    const again = await sup.post(`/groupes/${slug}/carnet/${pub}/restaurer`, {});
    assert.equal(again.status, 303);
    assert.match((await anon.get(`/groupes/${slug}/carnet`)).text, /Premier jour de tournage/);
    const twice = await sup.post(`/groupes/${slug}/carnet/${pub}/restaurer`, {});
    assert.equal(twice.status, 409);
  });

  test('a protected group refuses a public entry (422) and stays hidden', async () => {
    const form = await sup.get('/groupes/nouveau');
    const structure = form.text.match(/<option value="(\d+)"/)[1];
    const res = await sup.post('/groupes', { title: 'Atelier protégé du carnet', year: '2026', structure_id: structure, is_protected: '1' });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const p = res.location.split('/').pop();
    const bad = await sup.post(`/groupes/${p}/carnet`, { title: 'Sortie', visibility: 'public' });
    assert.equal(bad.status, 422);
    const id = entryId(await sup.post(`/groupes/${p}/carnet`, { title: 'Sortie', visibility: 'group' }), p);
    assert.equal((await anon.get(`/groupes/${p}/carnet`)).status, 404);
    assert.equal((await anon.get(`/groupes/${p}/carnet/${id}`)).status, 404);
    assert.equal((await part.get(`/groupes/${p}/carnet/${id}`)).status, 404);
  });
});
