// Workshop group pages: a supervisor creates a group, records participants and their
// consents from the paper forms (both signatures under 15), withdraws one, reads the audit
// log; a protected group is invisible (404, like no group at all) outside its circle.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, clientAs, login, runCli, startServer } from './lib/server.mjs';

const OTHER = { login: 'autre-encadrant', password: 'autre-encadrant-mdp' };

let server;
let sup;
let anon;
let admin;
let other;

/** A day number as YYYY-MM-DD, days before today (UTC; a few days avoid time zone edges). */
function daysAgo(n) {
  return new Date(Date.now() - n * 86400 * 1000).toISOString().slice(0, 10);
}

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', OTHER.login, '--name', 'Autre encadrant (tests)', '--role', 'supervisor', '--password', OTHER.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add ${OTHER.login}: ${add.stderr}`);
    },
  });
  sup = await clientAs(server, 'supervisor');
  admin = await clientAs(server, 'admin');
  anon = await clientAs(server, 'anonymous');
  other = new Client(server.url);
  await login(other, OTHER.login, OTHER.password);
  await other.csrf('/');
});

after(async () => {
  if (server) await server.stop();
});

/** The value of the first structure option of the new-group form. */
async function supervisorStructure() {
  const res = await sup.get('/groupes/nouveau');
  assert.equal(res.status, 200, res.text.slice(0, 300));
  const m = res.text.match(/<option value="(\d+)"/);
  assert.ok(m, 'the supervisor is offered a structure');
  return m[1];
}

/** Creates a group; resolves its slug. */
async function createGroup(fields) {
  const res = await sup.post('/groupes', fields);
  assert.equal(res.status, 303, `POST /groupes → ${res.status}: ${res.text.slice(0, 500)}`);
  const m = res.location.match(/^\/groupes\/([a-z0-9-]+)$/);
  assert.ok(m, `redirect to the group: ${res.location}`);
  return m[1];
}

/** Participant id by name, from the participants page. */
function participantIds(html) {
  const ids = {};
  for (const m of html.matchAll(/<th scope="row">([^<]+)<\/th>[\s\S]*?data-level="([a-z]+)"[\s\S]*?\/participants\/(\d+)\/consentement/g)) {
    ids[m[1]] = { id: m[3], level: m[2] };
  }
  return ids;
}

describe('a supervisor runs a group', () => {
  let slug;
  let structure;
  let people;

  test('the list page answers, with an empty state or groups', async () => {
    const res = await anon.get('/groupes');
    assert.equal(res.status, 200);
    assert.match(res.text, /Groupes d(&#39;|')atelier/);
  });

  test('the new-group form is for supervisors and above', async () => {
    const res = await anon.get('/groupes/nouveau');
    assert.equal(res.status, 303);
    assert.match(res.location, /^\/connexion/);
    structure = await supervisorStructure();
  });

  test('a missing title comes back 422 with the values kept', async () => {
    const res = await sup.post('/groupes', { title: '', year: '2026', structure_id: structure, description: 'Gardée' });
    assert.equal(res.status, 422);
    assert.match(res.text, /aria-invalid="true" aria-describedby="gr-title-error"/);
    assert.match(res.text, /Gardée/);
  });

  test('creates a group', async () => {
    slug = await createGroup({
      title: 'Atelier documentaire du quartier',
      year: '2026',
      structure_id: structure,
      description: 'Un film sur la rue.',
      facilitators: 'Anne Réalisatrice\nBruno Chef-opérateur',
      status: 'in_progress',
      visibility: 'public',
    });
    const page = await sup.get(`/groupes/${slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Atelier documentaire du quartier/);
    assert.match(page.text, /Bruno Chef-opérateur/);
    assert.match(page.text, new RegExp(`href="/groupes/${slug}/participants"`));
    const list = await anon.get('/groupes');
    assert.match(list.text, /Atelier documentaire du quartier/, 'a public group is listed for everyone');
  });

  test('adds three participants, one under 15', async () => {
    for (const [name, band] of [['Alix', '15-17'], ['Basile', '12-14'], ['Chloé', '18-25']]) {
      const res = await sup.post(`/groupes/${slug}/participants`, { display_name: name, age_band: band });
      assert.equal(res.status, 303, `${name}: ${res.status} ${res.text.slice(0, 300)}`);
    }
    const bad = await sup.post(`/groupes/${slug}/participants`, { display_name: 'Sans âge', age_band: '' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /pa-age_band-error/);
    const page = await sup.get(`/groupes/${slug}/participants`);
    assert.equal(page.status, 200);
    people = participantIds(page.text);
    assert.deepEqual(Object.keys(people).sort(), ['Alix', 'Basile', 'Chloé']);
    for (const p of Object.values(people)) assert.equal(p.level, 'none');
  });

  test('records consents; under 15 both signatures are needed', async () => {
    const signed = daysAgo(3);
    const url = (n) => `/groupes/${slug}/participants/${people[n].id}/consentement`;
    let res = await sup.post(url('Alix'), { level: 'public', parent_agreed: '1', signed_on: signed });
    assert.equal(res.status, 303, res.text.slice(0, 500));

    res = await sup.post(url('Basile'), { level: 'network', parent_agreed: '1', signed_on: signed, note: 'Formulaire du 3' });
    assert.equal(res.status, 422, 'the young person under 15 must sign too');
    assert.match(res.text, /id="co-minor_agreed-error"/);
    assert.match(res.text, /15 ans/);
    assert.match(res.text, /Formulaire du 3/, 'the values are kept');
    res = await sup.post(url('Basile'), { level: 'network', parent_agreed: '1', minor_agreed: '1', signed_on: signed });
    assert.equal(res.status, 303, res.text.slice(0, 500));

    res = await sup.post(url('Chloé'), { level: 'none', parent_agreed: '1', signed_on: signed });
    assert.equal(res.status, 303, res.text.slice(0, 500));

    const page = await sup.get(`/groupes/${slug}/participants`);
    const now = participantIds(page.text);
    assert.equal(now.Alix.level, 'public');
    assert.equal(now.Basile.level, 'network');
    assert.equal(now.Chloé.level, 'none');
  });

  test('withdraws a consent after confirmation; the history keeps every record', async () => {
    const base = `/groupes/${slug}/participants/${people.Alix.id}`;
    let res = await sup.post(`${base}/retrait`, {});
    assert.equal(res.status, 422, 'no confirmation, no withdrawal');
    res = await sup.post(`${base}/retrait`, { confirm: '1', withdraw_note: 'Appel des parents' });
    assert.equal(res.status, 303, res.text.slice(0, 500));
    const page = await sup.get(`/groupes/${slug}/participants`);
    assert.equal(participantIds(page.text).Alix.level, 'none');
    const hist = await sup.get(`${base}/consentement`);
    assert.equal(hist.status, 200);
    assert.match(hist.text, /Appel des parents/);
    assert.equal((hist.text.match(/<tr>\s*<td>/g) || []).length, 2, 'two records: the consent and its withdrawal');
  });

  test('the audit page lists the changes', async () => {
    const res = await sup.get(`/groupes/${slug}/journal`);
    assert.equal(res.status, 200);
    assert.match(res.text, /Retrait de consentement : Alix/);
    assert.match(res.text, /Consentement : Basile/);
    assert.match(res.text, /Consentement : Chloé/);
    const denied = await other.get(`/groupes/${slug}/journal`);
    assert.equal(denied.status, 403);
  });

  test('participants and consents are for managers only', async () => {
    assert.equal((await other.get(`/groupes/${slug}/participants`)).status, 403);
    const res = await other.post(`/groupes/${slug}/participants/${people.Chloé.id}/consentement`, { level: 'public', parent_agreed: '1', signed_on: daysAgo(3) });
    assert.equal(res.status, 403);
    assert.equal((await other.get(`/groupes/${slug}/modifier`)).status, 403);
  });

  test('the edit form keeps the values and saves', async () => {
    const form = await sup.get(`/groupes/${slug}/modifier`);
    assert.equal(form.status, 200);
    assert.match(form.text, /value="Atelier documentaire du quartier"/);
    const res = await sup.post(`/groupes/${slug}`, {
      title: 'Atelier documentaire du quartier', year: '2026', structure_id: structure, status: 'finished', visibility: 'network',
    });
    assert.equal(res.status, 303, res.text.slice(0, 500));
    const page = await sup.get(`/groupes/${slug}`);
    assert.match(page.text, /Terminé/);
    const list = await anon.get('/groupes');
    assert.doesNotMatch(list.text, /Atelier documentaire du quartier/, 'a network group is not listed for anonymous visitors');
    assert.equal((await anon.get(`/groupes/${slug}`)).status, 404);
  });
});

describe('a protected group', () => {
  let slug;
  let structure;

  test('refuses a visibility wider than the group (422 next to the field)', async () => {
    structure = await supervisorStructure();
    const res = await sup.post('/groupes', {
      title: 'Groupe protégé de test', year: '2026', structure_id: structure, is_protected: '1', visibility: 'public',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="gr-visibility-error"/);
    assert.match(res.text, /aria-invalid="true"/);
  });

  test('is created within the group', async () => {
    slug = await createGroup({ title: 'Groupe protégé de test', year: '2026', structure_id: structure, is_protected: '1', visibility: 'group' });
    const res = await sup.post(`/groupes/${slug}/participants`, { display_name: 'Zoé', age_band: '15-17' });
    assert.equal(res.status, 303);
    const page = await sup.get(`/groupes/${slug}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Zoé/, 'the group sees the names');
  });

  test('answers 404 to an anonymous visitor and to another supervisor, like no group at all', async () => {
    for (const [who, c] of [['anonymous', anon], ['other supervisor', other]]) {
      for (const p of [`/groupes/${slug}`, `/groupes/${slug}/participants`, `/groupes/${slug}/journal`, `/groupes/${slug}/modifier`]) {
        if (who === 'anonymous' && p !== `/groupes/${slug}`) continue; // pages for supervisors: the login page first
        const res = await c.get(p);
        const missing = await c.get(p.replace(slug, 'groupe-qui-n-existe-pas'));
        assert.equal(res.status, 404, `${who} ${p}`);
        assert.equal(missing.status, 404);
        assert.doesNotMatch(res.text, /Groupe protégé de test|Zoé/);
      }
      const list = await c.get('/groupes');
      assert.doesNotMatch(list.text, /Groupe protégé de test/, `${who}: not listed`);
    }
  });

  test('the admin sees it', async () => {
    const res = await admin.get(`/groupes/${slug}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /Zoé/);
    assert.equal((await admin.get(`/groupes/${slug}/journal`)).status, 200);
    const list = await admin.get('/groupes');
    assert.match(list.text, /Groupe protégé de test/);
  });
});
