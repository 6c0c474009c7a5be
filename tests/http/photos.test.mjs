// Photos of logbook entries, against issue 4's "Done when": who sees which photo follows the
// consents of the people tagged on it, on every route (page, API, media files, search, Atom
// feed, sitemap) and on the next request after a withdrawal or an expiry; a protected group
// shows nothing outside its circle; no served derivative carries any metadata; bad files get
// their French message, store nothing and leave the server up; signed media URLs refuse
// tampering, expiry and other accounts; tags stay within the group and are audited.
//
// One server (a copy of the init + demo fixture) for the file; the describe blocks build on
// each other in order. Viewers: the demo supervisor (manages the test groups), an anonymous
// visitor, the demo participant "jeune" (a member of a demo group), a supervisor of a group
// in another coordination (made here), the demo coordinator (Hors Cadre: the groups'
// coordination) and the admin.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, clientAs, login, runCli, startServer } from './lib/server.mjs';
import {
  imageSize,
  makeJpeg,
  makePdf,
  makePngBomb,
  makeSvgWithScript,
  oversized,
  readMetadata,
  truncated,
  withMetadata,
} from './lib/images.mjs';
import {
  createEntry,
  createGroup,
  daysAgo,
  fetchBytes,
  galleryPhotos,
  localYesterday,
  photoTrace,
  postMultipart,
  postRawPhoto,
  recordConsent,
  srcsetUrls,
  storedPhotoFiles,
  unescapeHtml,
  withdrawConsent,
} from './lib/photos.mjs';

const OTHER = { login: 'encadrant-acap', password: 'encadrant-acap-mdp' };
const ACAP = 'acap-pole-regional-image';

// unique words, so the search finds exactly our entries
const ENTRY_TITLE = 'Tournage zéphyrin au square';
const ENTRY_WORD = 'zephyrin';
const PROTECTED_TITLE = 'Groupe quenouille protégé';
const PROTECTED_ENTRY = 'Sortie quenouille au musée';
const PROTECTED_WORD = 'quenouille';

// the French messages of src/image.h
const MSG = {
  empty: 'Le fichier est vide.',
  type: 'Ce fichier n\'est pas une photo JPEG, PNG, WebP ou HEIC.',
  big: /Image trop grande : 30000 × 30000 pixels/,
  broken: 'Cette image est illisible ou incomplète.',
  size: 'Le fichier dépasse 20 Mo.',
};

let server;
let routes; // "METHOD pattern" of the running binary
const who = {}; // sup, anon, jeune, other, coord, admin
const s = {}; // what the tests build: slugs, ids, URLs

before(async () => {
  server = await startServer();
  const r = await runCli(['routes'], { dataDir: server.dataDir });
  assert.equal(r.code, 0, r.stderr);
  routes = new Set(JSON.parse(r.stdout).map((x) => `${x.method} ${x.pattern}`));
  who.sup = await clientAs(server, 'supervisor');
  who.anon = await clientAs(server, 'anonymous');
  who.jeune = await clientAs(server, 'participant');
  who.coord = await clientAs(server, 'coordinator');
  who.admin = await clientAs(server, 'admin');
  // a supervisor of a structure in another coordination, with a group of their own
  const st = await who.admin.get(`/api/v1/structures?coordination=${ACAP}&per_page=1`);
  assert.equal(st.status, 200, st.text.slice(0, 300));
  const acapStructure = st.json().items[0].id;
  const u = await who.admin.postJson('/api/v1/users', {
    login: OTHER.login, display_name: 'Encadrant Acap (tests)', role: 'supervisor', password: OTHER.password, structures: [acapStructure],
  });
  assert.equal(u.status, 201, u.text.slice(0, 400));
  who.other = new Client(server.url);
  await login(who.other, OTHER.login, OTHER.password);
  await who.other.csrf('/');
  s.otherGroup = (await createGroup(who.other, { title: 'Atelier de l\'autre coordination', visibility: 'network' })).slug;
});

after(async () => {
  if (server) await server.stop();
});

/** Skips t when the route is not in the table yet (search, feed, sitemap: other work). */
function missing(t, route) {
  if (routes.has(route)) return false;
  t.skip(`${route} is not in the route table of this build`);
  return true;
}

/** Ids of the photos in the gallery of an entry page as client sees it (status 200 expected). */
async function pageIds(client, url) {
  const res = await client.get(url);
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  return galleryPhotos(res.text).map((p) => p.id);
}

/** Ids of the photos of an entry in the API as client sees it. */
async function apiIds(client, entryId) {
  const res = await client.get(`/api/v1/entries/${entryId}/photos`);
  assert.equal(res.status, 200, res.text.slice(0, 300));
  return res.json().items.map((p) => p.id);
}

/** Every media URL of the gallery of an entry page (img src and both srcsets), by photo id. */
async function mediaUrls(client, url) {
  const res = await client.get(url);
  assert.equal(res.status, 200);
  const out = {};
  for (const p of galleryPhotos(res.text)) {
    out[p.id] = [...new Set([p.src, ...p.srcsets.flatMap(srcsetUrls)])];
  }
  return out;
}

const sorted = (a) => [...a].sort((x, y) => x - y);

/** An HTML answer's 422 page with msg in it (text or RegExp). */
function assertHtmlRefusal(res, status, msg, label) {
  assert.equal(res.status, status, `${label}: HTML status (${res.text.slice(0, 200)})`);
  assert.match(res.contentType, /^text\/html/, `${label}: an HTML page`);
  const text = unescapeHtml(res.text);
  if (msg instanceof RegExp) assert.match(text, msg, label);
  else assert.ok(text.includes(msg), `${label}: the page says « ${msg} »`);
}

/** An API answer: a problem document with msg in errors.photo. */
function assertApiRefusal(res, status, msg, label) {
  assert.equal(res.status, status, `${label}: API status (${res.text.slice(0, 200)})`);
  assert.match(res.contentType, /^application\/problem\+json/, `${label}: a problem document`);
  const p = res.json();
  assert.equal(p.status, status);
  const said = (p.errors && p.errors.photo) || p.detail;
  if (msg instanceof RegExp) assert.match(said, msg, label);
  else assert.equal(said, msg, label);
}

describe('three consents, three photos: who sees what', () => {
  test('the supervisor builds the group, its consents and a public entry', async () => {
    const g = await createGroup(who.sup, {
      title: 'Atelier photo des trois consentements',
      visibility: 'public',
      participants: [
        { name: 'Alix', band: '15-17', level: 'public' },
        { name: 'Basile', band: '12-14', level: 'network' },
        { name: 'Chloé', band: '18-25', level: 'none' },
      ],
    });
    Object.assign(s, { slug: g.slug, people: g.people });
    s.entry = await createEntry(who.sup, s.slug, { title: ENTRY_TITLE, body: 'Une journée de tournage en plein air.' });
    s.entryUrl = `/groupes/${s.slug}/carnet/${s.entry}`;
    const levels = await who.sup.get(`/groupes/${s.slug}/participants`);
    for (const [name, level] of [['Alix', 'public'], ['Basile', 'network'], ['Chloé', 'none']]) {
      assert.match(levels.text, new RegExp(`${name}</th>[\\s\\S]*?data-level="${level}"`), `${name}: ${level}`);
    }
  });

  test('uploads three photos in one form post, then sets alt text and one tag on each', async () => {
    const manage = await who.sup.get(`${s.entryUrl}/photos`);
    assert.equal(manage.status, 200);
    const before = storedPhotoFiles(server.dataDir).length;
    const res = await postMultipart(who.sup, `${s.entryUrl}/photos`, {
      fields: { alt: 'Photo du tournage' },
      files: [1, 2, 3].map((n) => ({ name: `tournage-${n}.jpg`, bytes: makeJpeg(800, 600, n), type: 'image/jpeg' })),
    });
    assert.equal(res.status, 303, `${res.status}: ${unescapeHtml(res.text).match(/form-error[^>]*>([^<]*)/)?.[1] || res.text.slice(0, 300)}`);
    assert.equal(res.location, `${s.entryUrl}/photos`);
    assert.equal(storedPhotoFiles(server.dataDir).length, before + 3 * 6, 'six derivatives per photo');
    const ids = await apiIds(who.sup, s.entry);
    assert.equal(ids.length, 3);
    s.photo = { public: ids[0], network: ids[1], none: ids[2] };
    s.alt = {
      public: 'Alix tient la perche au square',
      network: 'Basile règle la caméra',
      none: 'Chloé écrit le clap',
    };
    const person = { public: 'Alix', network: 'Basile', none: 'Chloé' };
    for (const k of ['public', 'network', 'none']) {
      const up = await who.sup.post(`/groupes/${s.slug}/carnet/${s.entry}/photos/${s.photo[k]}`, [
        ['alt', s.alt[k]],
        ['tag', String(s.people[person[k]])],
      ]);
      assert.equal(up.status, 303, `${k}: ${up.status} ${up.text.slice(0, 300)}`);
    }
    const api = await who.sup.get(`/api/v1/photos/${s.photo.network}`);
    assert.equal(api.status, 200);
    assert.deepEqual(api.json().tagged_participants, [s.people.Basile]);
    assert.equal(api.json().alt, s.alt.network);
  });

  test('anonymous visitors see one photo, a member of another group two, the group three', async () => {
    const expect = {
      anon: [s.photo.public],
      jeune: [s.photo.public, s.photo.network],
      other: [s.photo.public, s.photo.network],
      sup: [s.photo.public, s.photo.network, s.photo.none],
      coord: [s.photo.public, s.photo.network, s.photo.none],
    };
    for (const [name, ids] of Object.entries(expect)) {
      assert.deepEqual(sorted(await pageIds(who[name], s.entryUrl)), sorted(ids), `${name}: entry page gallery`);
      assert.deepEqual(sorted(await apiIds(who[name], s.entry)), sorted(ids), `${name}: API list`);
    }
    // the gallery's pictures: a <picture> with a WebP source and a JPEG fallback, with alt text
    const page = await who.anon.get(s.entryUrl);
    const [only] = galleryPhotos(page.text);
    assert.equal(only.alt, s.alt.public);
    assert.equal(only.srcsets.length, 2, 'a WebP srcset and a JPEG srcset');
    assert.match(only.srcsets[0], /\/media\/photos\/\d+\/320\.webp 320w/);
    assert.match(only.srcsets[1], /\/media\/photos\/\d+\/320\.jpg 320w/);
    assert.match(page.text, /<picture>\s*<source type="image\/webp"/);
  });

  test('for anonymous visitors the two other photos leave no trace in the page or the API', async () => {
    const page = await who.anon.get(s.entryUrl);
    const text = unescapeHtml(page.text);
    assert.match(page.text, photoTrace(s.photo.public), 'the check finds the photo that is shown');
    assert.ok(text.includes(s.alt.public));
    for (const k of ['network', 'none']) {
      assert.doesNotMatch(page.text, photoTrace(s.photo[k]), `entry page: no URL of the ${k} photo`);
      assert.ok(!text.includes(s.alt[k]), `entry page: no alt text of the ${k} photo`);
      const api = await who.anon.get(`/api/v1/entries/${s.entry}/photos`);
      assert.doesNotMatch(api.text, photoTrace(s.photo[k]));
      assert.ok(!api.text.includes(s.alt[k]));
      assert.equal((await who.anon.get(`/api/v1/photos/${s.photo[k]}`)).status, 404, `API photo ${k}`);
      assert.equal((await who.anon.get(`${s.entryUrl}/photos/${s.photo[k]}`)).status, 404, `photo page ${k}`);
    }
    // nor do the names of the people tagged appear for them beyond what consent allows
    assert.ok(!text.includes('Chloé'), 'no name of the person without consent');
    // the one public photo's page answers
    const one = await who.anon.get(`${s.entryUrl}/photos/${s.photo.public}`);
    assert.equal(one.status, 200);
    assert.match(one.text, /Photo 1\/1/);
  });

  test('nor on the other pages that show the group or the entry', async () => {
    const pages = ['/', '/groupes', `/groupes/${s.slug}`, `/groupes/${s.slug}/carnet`, `/api/v1/entries/${s.entry}`];
    if (routes.has('GET /api/v1/entries/{id}/comments')) pages.push(`/api/v1/entries/${s.entry}/comments`);
    for (const p of pages) {
      const res = await who.anon.get(p);
      assert.equal(res.status, 200, p);
      for (const k of ['network', 'none']) {
        assert.doesNotMatch(res.text, photoTrace(s.photo[k]), `${p}: no URL of the ${k} photo`);
        assert.ok(!unescapeHtml(res.text).includes(s.alt[k]), `${p}: no alt text of the ${k} photo`);
      }
    }
  });

  test('a hidden photo chosen as the group\'s cover is not shown, nor named, to those who may not see it', async (t) => {
    const route = 'POST /groupes/{slug}/carnet/{id}/photos/{pid}/couverture';
    if (missing(t, route)) return;
    const set = async (k) => {
      const res = await who.sup.post(`${s.entryUrl}/photos/${s.photo[k]}/couverture`, {});
      assert.equal(res.status, 303, `cover ${k}: ${res.status} ${res.text.slice(0, 300)}`);
    };
    await set('none');
    try {
      const sup = await who.sup.get(`/groupes/${s.slug}`);
      assert.match(sup.text, photoTrace(s.photo.none), 'the group sees its cover');
      for (const name of ['anon', 'jeune']) {
        for (const p of [`/groupes/${s.slug}`, '/groupes', '/']) {
          const res = await who[name].get(p);
          assert.equal(res.status, 200);
          assert.doesNotMatch(res.text, photoTrace(s.photo.none), `${name} ${p}: no cover URL`);
          assert.ok(!unescapeHtml(res.text).includes(s.alt.none), `${name} ${p}: no alt text`);
        }
      }
      if (routes.has('GET /api/v1/groups/{slug}')) {
        for (const name of ['anon', 'jeune']) {
          const api = await who[name].get(`/api/v1/groups/${s.slug}`);
          assert.equal(api.status, 200);
          assert.notEqual(api.json().cover_photo_id, s.photo.none, `${name}: GET /api/v1/groups/{slug} names a cover photo the caller may not see`);
        }
      }
    } finally {
      await set('public');
    }
    const anon = await who.anon.get(`/groupes/${s.slug}`);
    assert.match(anon.text, photoTrace(s.photo.public), 'a public cover is shown to everyone');
  });

  test('the report form knows only the photos the visitor may see', async (t) => {
    if (missing(t, 'GET /signaler')) return;
    const one = await who.anon.get(`${s.entryUrl}/photos/${s.photo.public}`);
    assert.match(one.text, new RegExp(`href="/signaler\\?type=photo&amp;id=${s.photo.public}"`), 'a public photo can be reported');
    assert.equal((await who.anon.get(`/signaler?type=photo&id=${s.photo.public}`)).status, 200);
    for (const k of ['network', 'none']) {
      const res = await who.anon.get(`/signaler?type=photo&id=${s.photo[k]}`);
      assert.equal(res.status, 404, `report form of the ${k} photo`);
      assert.ok(!unescapeHtml(res.text).includes(s.alt[k]));
      if (routes.has('POST /signaler')) {
        const post = await who.anon.post('/signaler', { type: 'photo', id: String(s.photo[k]), reason: 'other', note: 'test' });
        assert.equal(post.status, 404, `report of the ${k} photo`);
      }
    }
    const net = await who.jeune.get(`/signaler?type=photo&id=${s.photo.network}`);
    assert.equal(net.status, 200, 'a network member may report the network photo');
    assert.equal((await who.jeune.get(`/signaler?type=photo&id=${s.photo.none}`)).status, 404);
  });

  test('nor in the search results', async (t) => {
    if (missing(t, 'GET /recherche')) return;
    const res = await who.anon.get(`/recherche?q=${ENTRY_WORD}`);
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`/carnet/${s.entry}(?![0-9])`), 'the entry is found');
    for (const k of ['network', 'none']) {
      assert.doesNotMatch(res.text, photoTrace(s.photo[k]));
      assert.ok(!unescapeHtml(res.text).includes(s.alt[k]));
    }
    if (routes.has('GET /api/v1/search')) {
      const api = await who.anon.get(`/api/v1/search?q=${ENTRY_WORD}`);
      assert.equal(api.status, 200);
      assert.ok(api.json().items.some((h) => h.kind === 'entry' && h.id === s.entry), 'the API finds the entry');
      for (const k of ['network', 'none']) {
        assert.doesNotMatch(api.text, photoTrace(s.photo[k]));
        assert.ok(!api.text.includes(s.alt[k]));
      }
    }
  });

  test('nor in the Atom feed', async (t) => {
    const route = [...routes].find((r) => /^GET \/groupes\/\{slug\}\/carnet\.atom$/.test(r));
    if (!route) {
      t.skip('no GET /groupes/{slug}/carnet.atom in the route table of this build');
      return;
    }
    const res = await who.anon.get(`/groupes/${s.slug}/carnet.atom`);
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^application\/atom\+xml/);
    assert.ok(res.text.includes(`/carnet/${s.entry}<`), 'the entry is in the feed');
    const text = unescapeHtml(unescapeHtml(res.text)); // XML-escaped HTML content
    assert.match(text, photoTrace(s.photo.public), 'the feed shows the public photo');
    for (const k of ['network', 'none']) {
      assert.doesNotMatch(text, photoTrace(s.photo[k]), `feed: no URL of the ${k} photo`);
      assert.ok(!text.includes(s.alt[k]), `feed: no alt text of the ${k} photo`);
    }
  });

  test('nor in the sitemap', async (t) => {
    if (missing(t, 'GET /sitemap.xml')) return;
    const res = await who.anon.get('/sitemap.xml');
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(`${s.entryUrl}<`), 'the public entry is listed');
    for (const k of ['network', 'none']) assert.doesNotMatch(res.text, photoTrace(s.photo[k]));
    // the same document whoever asks: a signed-in supervisor's sitemap lists no hidden photo either
    const sup = await who.sup.get('/sitemap.xml');
    for (const k of ['network', 'none']) assert.doesNotMatch(sup.text, photoTrace(s.photo[k]));
  });

  test('their URLs, taken from the supervisor\'s view, answer 403 or 404', async () => {
    const urls = await mediaUrls(who.sup, s.entryUrl);
    s.supUrls = urls;
    for (const k of ['public', 'network', 'none']) {
      assert.ok(urls[s.photo[k]] && urls[s.photo[k]].length >= 4, `${k}: srcsets listed for the supervisor`);
    }
    for (const u of urls[s.photo.public]) assert.doesNotMatch(u, /\?/, 'a public photo has plain URLs');
    for (const k of ['network', 'none']) {
      for (const u of urls[s.photo[k]]) {
        assert.match(u, /^\/media\/photos\/\d+\/(320|1024|2048)\.(webp|jpg)\?e=\d+&s=[^&]+$/, `signed: ${u}`);
        // as given (signed for the supervisor), and without its signature
        for (const url of [u, u.replace(/\?.*$/, '')]) {
          const res = await fetchBytes(null, server.url + url);
          assert.ok([403, 404].includes(res.status), `anonymous ${k} ${url}: ${res.status}`);
          assert.doesNotMatch(res.headers.get('content-type') || '', /^image\//);
        }
      }
    }
    // the photo without consent, from the member of another group: not found
    for (const u of urls[s.photo.none]) {
      const res = await fetchBytes(who.jeune, u);
      assert.equal(res.status, 404, `jeune ${u}`);
      const bare = await fetchBytes(who.jeune, u.replace(/\?.*$/, ''));
      assert.equal(bare.status, 404, `jeune ${u} without signature`);
    }
    // the public photo's files: anyone
    for (const u of urls[s.photo.public]) {
      const res = await fetchBytes(null, server.url + u);
      assert.equal(res.status, 200, u);
      assert.match(res.headers.get('content-type'), u.endsWith('.webp') ? /^image\/webp/ : /^image\/jpeg/);
    }
  });

  test('the supervisor\'s signed URLs serve the files to the supervisor', async () => {
    for (const k of ['network', 'none']) {
      for (const u of s.supUrls[s.photo[k]]) {
        const res = await fetchBytes(who.sup, u);
        assert.equal(res.status, 200, `${k} ${u}`);
        assert.ok(res.bytes.length > 100);
      }
    }
  });
});

describe('a withdrawal or an expiry takes effect on the next request', () => {
  const publicFile = () => `/media/photos/${s.photo.public}/320.jpg`;

  test('withdrawing the public consent hides the photo from anonymous visitors at once', async () => {
    assert.equal((await fetchBytes(null, server.url + publicFile())).status, 200, 'served before');
    assert.match((await who.anon.get('/')).text, photoTrace(s.photo.public), 'the home page shows it before');
    await withdrawConsent(who.sup, s.slug, s.people.Alix);
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [], 'entry page');
    assert.deepEqual(await apiIds(who.anon, s.entry), [], 'API list');
    assert.equal((await who.anon.get(`/api/v1/photos/${s.photo.public}`)).status, 404, 'API photo');
    assert.equal((await who.anon.get(`${s.entryUrl}/photos/${s.photo.public}`)).status, 404, 'photo page');
    for (const size of ['320', '1024', '2048']) {
      for (const ext of ['webp', 'jpg']) {
        const res = await fetchBytes(null, `${server.url}/media/photos/${s.photo.public}/${size}.${ext}`);
        assert.equal(res.status, 404, `${size}.${ext}`);
        assert.match(res.headers.get('cache-control') || '', /no-store/, 'a refusal is not cached');
      }
    }
    // nor the feed, nor the home page's latest entries
    for (const p of [`/groupes/${s.slug}/carnet.atom`, '/']) {
      const res = await who.anon.get(p);
      assert.equal(res.status, 200, p);
      assert.doesNotMatch(unescapeHtml(unescapeHtml(res.text)), photoTrace(s.photo.public), `${p} after the withdrawal`);
    }
    // a network member no longer sees it either (the withdrawal leaves no level at all)
    assert.deepEqual(await pageIds(who.jeune, s.entryUrl), [s.photo.network]);
    // the group still does
    assert.equal((await pageIds(who.sup, s.entryUrl)).length, 3);
  });

  test('a new public consent shows it again', async () => {
    await recordConsent(who.sup, s.slug, s.people.Alix, { level: 'public' });
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [s.photo.public]);
    assert.equal((await fetchBytes(null, server.url + publicFile())).status, 200);
  });

  test('an expired consent hides it like a withdrawal', async () => {
    await recordConsent(who.sup, s.slug, s.people.Alix, { level: 'public', signedOn: daysAgo(40), expiresOn: localYesterday() });
    const parts = await who.sup.get(`/groupes/${s.slug}/participants`);
    assert.match(parts.text, /Alix<\/th>[\s\S]*?data-level="none"/, 'the participants page shows no level in force');
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [], 'entry page');
    assert.deepEqual(await apiIds(who.anon, s.entry), [], 'API list');
    assert.equal((await fetchBytes(null, server.url + publicFile())).status, 404, 'media file');
    for (const p of [`/groupes/${s.slug}/carnet.atom`, '/']) {
      const res = await who.anon.get(p);
      assert.doesNotMatch(unescapeHtml(unescapeHtml(res.text)), photoTrace(s.photo.public), `${p} after the expiry`);
    }
    assert.deepEqual(await pageIds(who.jeune, s.entryUrl), [s.photo.network]);
    // back to a valid public consent for the tests below
    await recordConsent(who.sup, s.slug, s.people.Alix, { level: 'public' });
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [s.photo.public]);
  });
});

describe('a protected group stays within the group and its coordination', () => {
  test('the supervisor builds it: a public consent, a group entry, a tagged photo', async () => {
    const g = await createGroup(who.sup, {
      title: PROTECTED_TITLE,
      visibility: 'group',
      isProtected: true,
      participants: [{ name: 'Zoé', band: '15-17', level: 'public' }],
    });
    Object.assign(s, { pslug: g.slug, ppeople: g.people });
    const wide = await who.sup.post(`/groupes/${s.pslug}/carnet`, { title: PROTECTED_ENTRY, body_md: 'x', visibility: 'public' });
    assert.equal(wide.status, 422, 'no public entry in a protected group');
    s.pentry = await createEntry(who.sup, s.pslug, { title: PROTECTED_ENTRY, body: 'Visite du musée.', visibility: 'group' });
    s.pentryUrl = `/groupes/${s.pslug}/carnet/${s.pentry}`;
    const up = await postMultipart(who.sup, `/api/v1/entries/${s.pentry}/photos`, {
      fields: { alt: 'Zoé devant le musée' },
      files: [{ name: 'musee.jpg', bytes: makeJpeg(640, 480, 7), type: 'image/jpeg' }],
    });
    assert.equal(up.status, 201, up.text.slice(0, 300));
    s.pphoto = up.json().id;
    const tag = await who.sup.put(`/api/v1/photos/${s.pphoto}`, { tagged_participants: [s.ppeople.Zoé] });
    assert.equal(tag.status, 200, tag.text.slice(0, 300));
    assert.equal(tag.json().public, false, 'whatever the consent says, not public');
    // the API refuses to widen the group (422)
    if (routes.has('PUT /api/v1/groups/{slug}')) {
      const res = await who.sup.put(`/api/v1/groups/${s.pslug}`, { visibility: 'public' });
      assert.equal(res.status, 422, res.text.slice(0, 300));
    }
    const entryApi = await who.sup.put(`/api/v1/entries/${s.pentry}`, { visibility: 'network' });
    assert.equal(entryApi.status, 422, `entry widened through the API: ${entryApi.text.slice(0, 300)}`);
  });

  test('anonymous visitors, another group\'s supervisor and a participant elsewhere find nothing', async () => {
    const urls = await mediaUrls(who.sup, s.pentryUrl);
    const signed = urls[s.pphoto];
    assert.ok(signed && signed.length >= 2, 'the supervisor sees the photo');
    const pages = [
      `/groupes/${s.pslug}`,
      `/groupes/${s.pslug}/carnet`,
      s.pentryUrl,
      `${s.pentryUrl}/photos/${s.pphoto}`,
      `/api/v1/groups/${s.pslug}`,
      `/api/v1/groups/${s.pslug}/entries`,
      `/api/v1/entries/${s.pentry}`,
      `/api/v1/entries/${s.pentry}/photos`,
      `/api/v1/photos/${s.pphoto}`,
    ].filter((p) => !p.startsWith('/api/v1/groups/') || routes.has('GET /api/v1/groups/{slug}'));
    for (const name of ['anon', 'other', 'jeune']) {
      const c = who[name];
      for (const p of pages) {
        const res = await c.get(p);
        assert.equal(res.status, 404, `${name} ${p}: ${res.status}`);
        assert.ok(!unescapeHtml(res.text).includes(PROTECTED_TITLE) && !res.text.includes('Zoé'), `${name} ${p}: nothing named`);
      }
      for (const u of [...signed, ...signed.map((x) => x.replace(/\?.*$/, ''))]) {
        const res = await fetchBytes(name === 'anon' ? null : c, name === 'anon' ? server.url + u : u);
        assert.ok([403, 404].includes(res.status), `${name} ${u}: ${res.status}`);
      }
      const list = await c.get('/groupes');
      assert.ok(!unescapeHtml(list.text).includes(PROTECTED_TITLE), `${name}: not in the groups list`);
      const apiList = await c.get('/api/v1/groups?per_page=100');
      if (apiList.status === 200) assert.ok(!apiList.text.includes(s.pslug), `${name}: not in the API list`);
      if (routes.has('GET /recherche')) {
        const found = await c.get(`/recherche?q=${PROTECTED_WORD}`);
        assert.equal(found.status, 200);
        assert.ok(!unescapeHtml(found.text).includes(PROTECTED_ENTRY) && !found.text.includes(s.pslug), `${name}: search`);
      }
      if (routes.has('GET /api/v1/search')) {
        const found = await c.get(`/api/v1/search?q=${PROTECTED_WORD}`);
        assert.equal(found.status, 200);
        assert.equal(found.json().items.length, 0, `${name}: API search`);
      }
    }
    if (routes.has('GET /sitemap.xml')) {
      const map = await who.anon.get('/sitemap.xml');
      assert.ok(!map.text.includes(`/groupes/${s.pslug}`), 'sitemap');
    }
    if (routes.has('GET /groupes/{slug}/carnet.atom')) {
      assert.equal((await who.anon.get(`/groupes/${s.pslug}/carnet.atom`)).status, 404, 'feed');
    }
  });

  test('the group\'s coordination sees all of it', async () => {
    for (const p of [`/groupes/${s.pslug}`, `/groupes/${s.pslug}/carnet`, `${s.pentryUrl}/photos/${s.pphoto}`]) {
      assert.equal((await who.coord.get(p)).status, 200, `coordinator ${p}`);
    }
    assert.deepEqual(await pageIds(who.coord, s.pentryUrl), [s.pphoto]);
    assert.deepEqual(await apiIds(who.coord, s.pentry), [s.pphoto]);
    const urls = await mediaUrls(who.coord, s.pentryUrl);
    for (const u of urls[s.pphoto]) {
      const res = await fetchBytes(who.coord, u);
      assert.equal(res.status, 200, u);
      assert.match(res.headers.get('cache-control'), /^private/);
    }
    assert.equal((await who.admin.get(s.pentryUrl)).status, 200, 'admin');
  });
});

describe('no served derivative carries metadata', () => {
  const FORBIDDEN = /GPS|Make|Model|XMP|Creator|Comment|IPTC|By-line|Orientation|Serial|Software|DateTimeOriginal|ICC_Profile|Photoshop|MakerNote/i;

  test('a phone-like JPEG with GPS, camera, XMP, IPTC and a comment: none of it in the six files', async () => {
    const src = withMetadata(makeJpeg(2400, 1600, 11), [
      '-GPSLatitude=48.8566', '-GPSLatitudeRef=N', '-GPSLongitude=2.3522', '-GPSLongitudeRef=E', '-GPSAltitude=35',
      '-Make=TelephoneDeTest', '-Model=Modele X12', '-SerialNumber=SN123456', '-Software=AppareilPhoto 1.0',
      '-DateTimeOriginal=2026:03:02 10:11:12',
      '-XMP-dc:Creator=Auteur Secret', '-XMP-dc:Description=Description secrète',
      '-IPTC:By-line=Photographe Secret', '-IPTC:City=Ville secrète',
      '-Comment=Commentaire secret',
    ]);
    const tags = readMetadata(src);
    for (const k of ['GPS:GPSLatitude', 'IFD0:Make', 'IFD0:Model', 'XMP-dc:Creator', 'IPTC:By-line', 'File:Comment']) {
      assert.ok(k in tags, `the source carries ${k}`);
    }
    const res = await postRawPhoto(who.sup, s.entry, src, { alt: 'Vue du square' });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    const photo = res.json();
    s.metaPhoto = photo.id;
    assert.equal(photo.derivatives.length, 3);
    assert.equal(photo.width, 2400);
    let n = 0;
    for (const d of photo.derivatives) {
      for (const [ext, url] of [['webp', d.webp], ['jpg', d.jpeg]]) {
        const file = await fetchBytes(who.sup, url);
        assert.equal(file.status, 200, url);
        const found = readMetadata(file.bytes, ext);
        const leaks = Object.entries(found).filter(([k, v]) => FORBIDDEN.test(k) || /Secret|secrète|Telephone|Modele|48 deg|SN123/.test(JSON.stringify(v)));
        assert.deepEqual(leaks, [], `${url}: metadata left: ${JSON.stringify(leaks)}`);
        const size = imageSize(file.bytes);
        assert.deepEqual(size, { width: d.width, height: d.height }, `${url}: its size as the API says`);
        n++;
      }
    }
    assert.equal(n, 6, 'three sizes in WebP and JPEG');
    assert.deepEqual(photo.derivatives.map((d) => d.width), [320, 1024, 2048]);
  });

  test('an EXIF orientation 6 photo comes out upright (width and height swapped)', async () => {
    const src = withMetadata(makeJpeg(640, 480, 12), ['-Orientation#=6']);
    assert.equal(readMetadata(src)['IFD0:Orientation'], 'Rotate 90 CW');
    const res = await postMultipart(who.sup, `/api/v1/entries/${s.entry}/photos`, {
      fields: { alt: 'Photo prise de côté' },
      files: [{ name: 'portrait.jpg', bytes: src, type: 'image/jpeg' }],
    });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    const photo = res.json();
    assert.equal(photo.width, 480);
    assert.equal(photo.height, 640);
    const small = photo.derivatives[0];
    assert.equal(small.width, 320);
    assert.ok(Math.abs(small.height - 427) <= 1, `320 px wide: ${small.height} high`);
    const file = await fetchBytes(who.sup, small.jpeg);
    assert.deepEqual(imageSize(file.bytes), { width: small.width, height: small.height });
    assert.ok(!('IFD0:Orientation' in readMetadata(file.bytes)), 'no orientation tag left to rotate it twice');
    // the two test photos are not part of what follows
    for (const id of [s.metaPhoto, photo.id]) {
      const del = await who.sup.delete(`/api/v1/photos/${id}`);
      assert.equal(del.status, 204, del.text.slice(0, 200));
    }
  });
});

describe('bad files: a French message, nothing stored, the server still up', () => {
  let bad;

  before(async () => {
    const jpeg = makeJpeg(1200, 900, 21);
    bad = [
      { label: '30000×30000 PNG', name: 'bombe.png', type: 'image/png', bytes: await makePngBomb(), msg: MSG.big },
      { label: 'truncated JPEG', name: 'coupee.jpg', type: 'image/jpeg', bytes: truncated(jpeg), msg: MSG.broken },
      { label: 'PDF named .jpg', name: 'document.jpg', type: 'image/jpeg', bytes: makePdf(), msg: MSG.type },
      { label: 'SVG with a script named .png', name: 'dessin.png', type: 'image/png', bytes: makeSvgWithScript(), msg: MSG.type },
      { label: 'empty file', name: 'vide.jpg', type: 'image/jpeg', bytes: Buffer.alloc(0), msg: MSG.empty },
    ];
  });

  /** Files on disk and photos of the entry, for the supervisor. */
  async function stored() {
    return { files: storedPhotoFiles(server.dataDir), photos: await apiIds(who.sup, s.entry) };
  }

  test('each is refused through the HTML form (422 page) and the API (422 problem)', async () => {
    assert.ok(bad[0].bytes.length < 2 * 1024 * 1024, `the PNG bomb is small: ${bad[0].bytes.length} bytes`);
    const start = await stored();
    for (const f of bad) {
      const file = { name: f.name, bytes: f.bytes, type: f.type };
      const html = await postMultipart(who.sup, `${s.entryUrl}/photos`, { fields: { alt: 'x' }, files: [file] });
      assertHtmlRefusal(html, 422, f.msg, `${f.label} (form)`);
      assert.match(html.text, /role="alert"/, `${f.label}: the message is announced`);
      const api = await postMultipart(who.sup, `/api/v1/entries/${s.entry}/photos`, { fields: { alt: 'x' }, files: [file] });
      assertApiRefusal(api, 422, f.msg, `${f.label} (API multipart)`);
      const raw = await postRawPhoto(who.sup, s.entry, f.bytes, { type: f.type });
      assertApiRefusal(raw, 422, f.msg, `${f.label} (API raw body)`);
      assert.deepEqual(await stored(), start, `${f.label}: nothing stored`);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200, `${f.label}: the server still answers`);
    }
  });

  test('a good photo and a bad one in the same form: the good one is kept, the bad one named', async () => {
    const start = await stored();
    const res = await postMultipart(who.sup, `${s.entryUrl}/photos`, {
      files: [
        { name: 'bonne.jpg', bytes: makeJpeg(400, 300, 31), type: 'image/jpeg' },
        { name: 'document.jpg', bytes: makePdf(), type: 'image/jpeg' },
      ],
    });
    assertHtmlRefusal(res, 422, MSG.type, 'mixed upload');
    assert.match(unescapeHtml(res.text), /document\.jpg : /);
    const now = await stored();
    assert.equal(now.photos.length, start.photos.length + 1);
    assert.equal(now.files.length, start.files.length + 6);
    const added = now.photos.find((id) => !start.photos.includes(id));
    assert.equal((await who.sup.delete(`/api/v1/photos/${added}`)).status, 204);
    assert.deepEqual(await stored(), start, 'deleting the photo removes its files');
  });

  test('a file just over 20 MB: 413 with its message, through the form and the API', async () => {
    const start = await stored();
    const big = oversized(20 * 1024 * 1024 + 1);
    const file = { name: 'enorme.jpg', bytes: big, type: 'image/jpeg' };
    const html = await postMultipart(who.sup, `${s.entryUrl}/photos`, { files: [file] });
    assertHtmlRefusal(html, 413, MSG.size, 'over 20 MB (form)');
    const api = await postMultipart(who.sup, `/api/v1/entries/${s.entry}/photos`, { files: [file] });
    assertApiRefusal(api, 413, MSG.size, 'over 20 MB (API)');
    const raw = await postRawPhoto(who.sup, s.entry, big);
    assertApiRefusal(raw, 413, MSG.size, 'over 20 MB (API raw body)');
    assert.deepEqual(await stored(), start);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('a form post over 1 MB reaches the upload handler (the form route is an upload route)', async () => {
    // 2 MB of a JPEG that does not decode: the photo's own message, not the HTTP core's 413
    const res = await postMultipart(who.sup, `${s.entryUrl}/photos`, { files: [{ name: 'lourde.jpg', bytes: oversized(2 * 1024 * 1024), type: 'image/jpeg' }] });
    assertHtmlRefusal(res, 422, MSG.broken, '2 MB through the form');
  });
});

describe('signed media URLs', () => {
  const q = (u) => new URL(u, 'http://x').searchParams;

  test('a tampered signature, an expired or moved expiry, a missing signature: 403', async () => {
    const u = s.supUrls[s.photo.network].find((x) => x.includes('/1024.jpg'));
    assert.ok(u, 'the supervisor has a signed URL of the network photo');
    const base = u.replace(/\?.*$/, '');
    const { e, s: sig } = Object.fromEntries(q(u));
    assert.equal((await fetchBytes(who.sup, u)).status, 200, 'the URL as given works');
    const flip = (str) => str.slice(0, -1) + (str.at(-1) === 'A' ? 'B' : 'A');
    const past = Math.floor(Date.now() / 1000) - 60;
    const cases = {
      'tampered signature': `${base}?e=${e}&s=${flip(sig)}`,
      'expired (e in the past, same-looking signature)': `${base}?e=${past}&s=${sig}`,
      'expiry pushed later': `${base}?e=${Number(e) + 86400}&s=${sig}`,
      'another file of the photo': `${base.replace('1024.jpg', '2048.jpg')}?e=${e}&s=${sig}`,
      'no signature': `${base}?e=${e}`,
      'no query': base,
      'not a number': `${base}?e=abc&s=${sig}`,
      'empty values': `${base}?e=&s=`,
    };
    for (const [name, url] of Object.entries(cases)) {
      const res = await fetchBytes(who.sup, url);
      assert.equal(res.status, 403, `${name}: ${url} → ${res.status}`);
      assert.match(res.headers.get('cache-control') || '', /no-store/, `${name}: not cached`);
    }
  });

  test('another account\'s URL: 403 for someone who may see the photo, 404 for someone who may not', async () => {
    const u = s.supUrls[s.photo.network][0];
    assert.equal((await fetchBytes(who.jeune, u)).status, 403, 'jeune may see the network photo, but not through the supervisor\'s URL');
    assert.equal((await fetchBytes(who.coord, u)).status, 403, 'nor the coordinator');
    const none = s.supUrls[s.photo.none][0];
    assert.equal((await fetchBytes(who.other, none)).status, 404, 'the photo without consent, for another group\'s supervisor');
    // their own URL works
    const own = (await mediaUrls(who.jeune, s.entryUrl))[s.photo.network];
    const res = await fetchBytes(who.jeune, own[0]);
    assert.equal(res.status, 200);
    assert.notEqual(own[0], u, 'signed for each account');
  });

  test('cache lifetimes: public photos public for 5 minutes, the others private', async () => {
    const pub = await fetchBytes(null, `${server.url}/media/photos/${s.photo.public}/1024.webp`);
    assert.equal(pub.status, 200);
    assert.equal(pub.headers.get('cache-control'), 'public, max-age=300');
    assert.match(pub.headers.get('content-type'), /^image\/webp/);
    const priv = await fetchBytes(who.sup, s.supUrls[s.photo.network][0]);
    assert.equal(priv.status, 200);
    assert.match(priv.headers.get('cache-control'), /^private\b/);
    assert.doesNotMatch(priv.headers.get('cache-control'), /public/);
    // a guessed id or file name
    assert.equal((await fetchBytes(null, `${server.url}/media/photos/999999/320.jpg`)).status, 404);
    assert.equal((await fetchBytes(null, `${server.url}/media/photos/${s.photo.public}/original.jpg`)).status, 404);
    assert.equal((await fetchBytes(null, `${server.url}/media/photos/${s.photo.public}/..%2F..%2Flanterne.db`)).status, 404);
  });
});

describe('tagging', () => {
  test('only participants of the group can be tagged (422 otherwise), through the form and the API', async () => {
    const foreign = s.ppeople.Zoé; // a participant of the protected group
    const url = `/groupes/${s.slug}/carnet/${s.entry}/photos/${s.photo.public}`;
    const res = await who.sup.post(url, [['alt', s.alt.public], ['tag', String(s.people.Alix)], ['tag', String(foreign)]]);
    assertHtmlRefusal(res, 422, 'Seuls les participants du groupe peuvent être identifiés.', 'foreign tag (form)');
    const junk = await who.sup.post(url, [['alt', s.alt.public], ['tag', 'abc']]);
    assert.equal(junk.status, 422, 'a tag that is no id');
    const api = await who.sup.put(`/api/v1/photos/${s.photo.public}`, { tagged_participants: [foreign] });
    assert.equal(api.status, 422, api.text.slice(0, 300));
    assert.ok(api.json().errors && Object.keys(api.json().errors).length, 'the field is named');
    const kept = await who.sup.get(`/api/v1/photos/${s.photo.public}`);
    assert.deepEqual(kept.json().tagged_participants, [s.people.Alix], 'the tags are unchanged');
    // only the entry's editors tag
    const denied = await who.other.put(`/api/v1/photos/${s.photo.public}`, { tagged_participants: [] });
    assert.ok([403, 404].includes(denied.status), `another supervisor: ${denied.status}`);
  });

  test('a change of tags goes into the audit journal', async () => {
    const res = await who.sup.put(`/api/v1/photos/${s.photo.public}`, { tagged_participants: [s.people.Alix, s.people.Basile] });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.json().public, false, 'Basile\'s consent is network: the photo is no longer public');
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [], 'and anonymous visitors no longer see it');
    const journal = await who.sup.get(`/groupes/${s.slug}/journal`);
    assert.equal(journal.status, 200);
    const rows = [...journal.text.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => unescapeHtml(m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')));
    const tagRows = rows.filter((r) => /photo_tags|identifi/i.test(r));
    assert.ok(tagRows.length >= 4, `one row per tag change (3 first tags + this one): ${tagRows.length}\n${rows.join('\n')}`);
    assert.ok(tagRows.some((r) => r.includes(`${s.people.Alix},${s.people.Basile}`) || (r.includes('Alix') && r.includes('Basile'))), `the new tags are named: ${tagRows.join('\n')}`);
    if (routes.has('GET /api/v1/groups/{slug}/audit')) {
      const api = await who.sup.get(`/api/v1/groups/${s.slug}/audit`);
      assert.equal(api.status, 200);
      assert.match(api.text, /photo_tags/);
    }
    // put the tag back as it was
    const back = await who.sup.put(`/api/v1/photos/${s.photo.public}`, { tagged_participants: [s.people.Alix] });
    assert.equal(back.status, 200);
    assert.deepEqual(await pageIds(who.anon, s.entryUrl), [s.photo.public]);
  });
});
