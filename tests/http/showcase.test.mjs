// The showcase and the search: the site search (page and API) as anonymous, member and
// manager, with its limits; the Atom feed of a public logbook (well-formed, public entries
// only, 404 for groups that are not public); sitemap.xml (public pages only) and robots.txt;
// noindex on every page the sitemap does not list; the home page's newest entries.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { clientAs, freshDataDir, removeDataDir, startServer } from './lib/server.mjs';

const BASE = 'http://lanterne.test';
const NOINDEX = /<meta name="robots" content="noindex">/;

let server;
let anon;
let jeune; // the demo participant: a member of the network, not of the groups made here
let sup; // the demo supervisor: manages the groups he makes here
let coord; // the demo coordinator (Hors Cadre)
let admin;

before(async () => {
  server = await startServer({ env: { LANTERNE_BASE_URL: `${BASE}/` } });
  anon = await clientAs(server, 'anonymous');
  jeune = await clientAs(server, 'participant');
  sup = await clientAs(server, 'supervisor');
  coord = await clientAs(server, 'coordinator');
  admin = await clientAs(server, 'admin');
});

after(async () => {
  if (server) await server.stop();
});

// ---- helpers ------------------------------------------------------------------------------

/** Creates a group through the form as client; resolves its slug. */
async function createGroup(client, fields) {
  const form = await client.get('/groupes/nouveau');
  assert.equal(form.status, 200);
  const structure = fields.structure_id ?? form.text.match(/<option value="(\d+)"/)[1];
  const res = await client.post('/groupes', { year: '2026', status: 'in_progress', ...fields, structure_id: structure });
  assert.equal(res.status, 303, res.text.slice(0, 400));
  return res.location.split('/').pop();
}

/** Writes an entry; resolves its id. */
async function writeEntry(client, slug, fields) {
  const res = await client.post(`/groupes/${slug}/carnet`, { body_md: '', ...fields });
  assert.equal(res.status, 303, res.text.slice(0, 400));
  const m = res.location.match(/\/carnet\/(\d+)$/);
  assert.ok(m, res.location);
  return m[1];
}

/** The titles of the results on a /recherche page. */
function resultTitles(html) {
  return [...html.matchAll(/<li class="search-result">\s*<h3><a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]);
}

/**
 * A small XML parser, enough to check well-formedness: elements nest and close, attributes
 * are quoted, every & starts a known entity or a character reference, no < inside text.
 * Resolves a tree {name, attrs, children, text}; throws on anything malformed.
 */
function parseXml(src) {
  let i = 0;
  const fail = (msg) => {
    throw new Error(`XML: ${msg} at ${i}: ${JSON.stringify(src.slice(i, i + 60))}`);
  };
  const decode = (s) => {
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) fail(`bad character data ${JSON.stringify(s.slice(0, 60))}`);
    return s
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
      .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
      .replace(/&amp;/g, '&');
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  const skipSpace = () => { while (/\s/.test(src[i] || '')) i++; };
  function element() {
    if (src[i] !== '<') fail('expected <');
    i++;
    const name = src.slice(i).match(/^[A-Za-z_][\w.:-]*/)?.[0];
    if (!name) fail('bad element name');
    i += name.length;
    const attrs = {};
    for (;;) {
      skipSpace();
      if (src.startsWith('/>', i)) { i += 2; return { name, attrs, children: [], text: '' }; }
      if (src[i] === '>') { i++; break; }
      const m = src.slice(i).match(/^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/);
      if (!m) fail('bad attribute');
      if (m[1] in attrs) fail(`attribute ${m[1]} twice`);
      attrs[m[1]] = decode(m[3] ?? m[4]);
      i += m[0].length;
    }
    const children = [];
    let text = '';
    for (;;) {
      if (i >= src.length) fail(`unclosed <${name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        if (!src.startsWith(name, i)) fail(`</${name}> expected`);
        i += name.length;
        skipSpace();
        if (src[i] !== '>') fail('bad end tag');
        i++;
        return { name, attrs, children, text };
      }
      if (src[i] === '<') { children.push(element()); continue; }
      const next = src.indexOf('<', i);
      const end = next < 0 ? src.length : next;
      text += decode(src.slice(i, end));
      i = end;
    }
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== src.length) fail('content after the root element');
  return root;
}

const child = (node, name) => node.children.find((c) => c.name === name);
const childrenNamed = (node, name) => node.children.filter((c) => c.name === name);

// ---- the data -----------------------------------------------------------------------------

const data = {};

describe('showcase', () => {
  before(async () => {
    // a public group of the demo supervisor with entries at every level
    data.pub = await createGroup(sup, { title: 'Atelier Quokka', visibility: 'public', description: 'Un atelier pour chercher le quokka.' });
    data.pubEntry = await writeEntry(sup, data.pub, {
      title: 'Quokka public <&> "guillemets"',
      body_md: 'Le **quokka** sourit & <script>alert(1)</script> ]]> fin.',
      visibility: 'public',
    });
    data.netEntry = await writeEntry(sup, data.pub, { title: 'Quokka réseau', body_md: 'Pour le réseau.', visibility: 'network' });
    data.grpEntry = await writeEntry(sup, data.pub, { title: 'Quokka interne', body_md: 'Entre nous.', visibility: 'group' });
    // a pending entry: the demo participant writes in the demo group he belongs to
    data.pending = await writeEntry(jeune, 'demo-lumieres-du-quartier', { title: 'Quokka en attente', visibility: 'public' });
    // a network page
    data.net = await createGroup(sup, { title: 'Atelier Wombat', visibility: 'network' });
    data.netGroupEntry = await writeEntry(sup, data.net, { title: 'Wombat public', visibility: 'public' });
    // a protected group in Acap, made by the admin: outside the demo supervisor's and the
    // Hors Cadre coordinator's circles
    const acap = await admin.get('/api/v1/structures?coordination=acap-pole-regional-image&per_page=1');
    assert.equal(acap.status, 200);
    data.prot = await createGroup(admin, {
      title: 'Atelier Zéphyr protégé',
      structure_id: String(acap.json().items[0].id),
      is_protected: '1',
      visibility: 'group',
    });
    data.protEntry = await writeEntry(admin, data.prot, { title: 'Zéphyr au travail', visibility: 'group' });
  });

  describe('search', () => {
    test('anonymous: the public group and its public entry only', async () => {
      const res = await anon.get('/recherche?q=QUOKKA');
      assert.equal(res.status, 200);
      assert.match(res.text, NOINDEX);
      const titles = resultTitles(res.text);
      assert.deepEqual(titles, ['Atelier Quokka', 'Quokka public &lt;&amp;&gt; &quot;guillemets&quot;']);
      assert.match(res.text, /2 résultats/);
      assert.match(res.text, /<mark>quokka<\/mark>/i);
      assert.match(res.text, /Groupe/);
      assert.match(res.text, /Entrée de carnet/);
      assert.doesNotMatch(res.text, /<script>alert/);
      const api = await anon.get('/api/v1/search?q=quokka');
      assert.equal(api.status, 200);
      assert.equal(api.headers.get('x-robots-tag'), 'noindex');
      const body = api.json();
      assert.equal(body.total, 2);
      assert.deepEqual(body.items.map((h) => h.kind), ['group', 'entry']);
      assert.equal(body.items[0].url, `/groupes/${data.pub}`);
      assert.equal(body.items[1].url, `/groupes/${data.pub}/carnet/${data.pubEntry}`);
      assert.equal(body.items[1].group.slug, data.pub);
      assert.match(body.items[1].snippet, /^Le quokka sourit & /);
      assert.doesNotMatch(body.items[1].snippet, /<script>/);
    });

    test('a member of the network also finds the network entry; pending entries stay hidden', async () => {
      const body = (await jeune.get('/api/v1/search?q=quokka')).json();
      const titles = body.items.map((h) => h.title).sort();
      assert.deepEqual(titles, ['Atelier Quokka', 'Quokka public <&> "guillemets"', 'Quokka réseau']);
      assert.equal(body.total, 3);
      // the network page and its entry: found when signed in, not by anonymous visitors
      assert.equal((await jeune.get('/api/v1/search?q=wombat')).json().total, 2);
      assert.equal((await anon.get('/api/v1/search?q=wombat')).json().total, 0);
    });

    test('the manager finds the group-only entry, and still not the pending one', async () => {
      const body = (await sup.get('/api/v1/search?q=quokka&per_page=50')).json();
      const titles = body.items.map((h) => h.title).sort();
      assert.deepEqual(titles, ['Atelier Quokka', 'Quokka interne', 'Quokka public <&> "guillemets"', 'Quokka réseau']);
      const page = await sup.get('/recherche?q=quokka');
      assert.equal(resultTitles(page.text).length, 4);
    });

    test('a protected group is found by no one outside its circle', async () => {
      for (const [who, client] of [['anonymous', anon], ['participant', jeune], ['supervisor', sup], ['coordinator (another coordination)', coord]]) {
        for (const q of ['Zéphyr protégé', 'zephyr', 'ZÉPHYR travail']) {
          const api = await client.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
          assert.equal(api.status, 200);
          assert.equal(api.json().total, 0, `${who} finds ${q}`);
          const page = await client.get(`/recherche?q=${encodeURIComponent(q)}`);
          assert.equal(resultTitles(page.text).length, 0, `${who} sees ${q}`);
          assert.match(page.text, /Aucun résultat pour « /);
        }
      }
      const body = (await admin.get('/api/v1/search?q=zephyr')).json();
      assert.deepEqual(body.items.map((h) => h.kind).sort(), ['entry', 'group']);
    });

    test('q: 2 to 100 characters, refused in French outside', async () => {
      const one = await anon.get('/recherche?q=a');
      assert.equal(one.status, 422);
      assert.match(one.text, /Saisissez au moins 2 caractères/);
      assert.match(one.text, /aria-invalid="true"/);
      assert.match(one.text, /value="a"/);
      assert.equal((await anon.get('/recherche?q=ab')).status, 200);
      assert.equal((await anon.get('/recherche?q=%20%20')).status, 422);
      const hundred = `${'quokka '.repeat(14)}ab`; // 100 characters, 15 words
      assert.equal(hundred.length, 100);
      const words = `${'quokkas'.repeat(14)}ab`; // 100 characters, one word
      assert.equal((await anon.get(`/recherche?q=${encodeURIComponent(words)}`)).status, 200);
      const long = await anon.get(`/recherche?q=${encodeURIComponent(`${words}c`)}`);
      assert.equal(long.status, 422);
      assert.match(long.text, /100 caractères au plus/);
      const many = await anon.get(`/api/v1/search?q=${encodeURIComponent(hundred)}`);
      assert.equal(many.status, 422);
      assert.match(many.json().errors.q, /Trop de mots/);
      const api = await anon.get('/api/v1/search?q=a');
      assert.equal(api.status, 422);
      assert.equal(api.contentType, 'application/problem+json');
      assert.match(api.json().errors.q, /au moins 2 caractères/);
      assert.equal((await anon.get('/api/v1/search')).status, 422);
      assert.equal((await anon.get(`/api/v1/search?q=${words}`)).status, 200);
      assert.equal((await anon.get(`/api/v1/search?q=${words}c`)).status, 422);
      assert.equal((await anon.get('/api/v1/search?q=quokka&per_page=51')).status, 400);
      assert.equal((await anon.get('/api/v1/search?q=quokka&per_page=0')).status, 400);
    });

    test('pages count visible results only', async () => {
      const p1 = (await anon.get('/api/v1/search?q=quokka&per_page=1')).json();
      assert.equal(p1.total, 2);
      assert.equal(p1.items.length, 1);
      const p2 = (await anon.get('/api/v1/search?q=quokka&per_page=1&page=2')).json();
      assert.equal(p2.items.length, 1);
      assert.notEqual(p2.items[0].url, p1.items[0].url);
      const p3 = (await anon.get('/api/v1/search?q=quokka&per_page=1&page=3')).json();
      assert.equal(p3.items.length, 0);
      assert.equal(p3.total, 2);
    });

    test('the empty form, and the search box of every page', async () => {
      const res = await anon.get('/recherche');
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /Résultats/);
      assert.match((await anon.get('/')).text, /<form class="site-search" role="search"[^>]*action="\/recherche"/);
    });
  });

  describe('Atom feed', () => {
    test('well-formed, public entries only, the group as author', async () => {
      const res = await sup.get(`/groupes/${data.pub}/carnet.atom`); // a manager gets the public feed too
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'application/atom+xml; charset=utf-8');
      const feed = parseXml(res.text);
      assert.equal(feed.name, 'feed');
      assert.equal(feed.attrs.xmlns, 'http://www.w3.org/2005/Atom');
      assert.equal(feed.attrs['xml:base'], `${BASE}/`);
      assert.equal(child(feed, 'id').text, `${BASE}/groupes/${data.pub}/carnet`);
      assert.equal(child(feed, 'title').text, 'Carnet de bord : Atelier Quokka');
      assert.match(child(feed, 'updated').text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(child(child(feed, 'author'), 'name').text, 'Atelier Quokka');
      const self = childrenNamed(feed, 'link').find((l) => l.attrs.rel === 'self');
      assert.equal(self.attrs.href, `${BASE}/groupes/${data.pub}/carnet.atom`);
      const entries = childrenNamed(feed, 'entry');
      assert.equal(entries.length, 1);
      const e = entries[0];
      assert.equal(child(e, 'title').text, 'Quokka public <&> "guillemets"');
      assert.equal(child(e, 'id').text, `${BASE}/groupes/${data.pub}/carnet/${data.pubEntry}`);
      assert.equal(child(e, 'link').attrs.href, `${BASE}/groupes/${data.pub}/carnet/${data.pubEntry}`);
      assert.match(child(e, 'updated').text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const content = child(e, 'content');
      assert.equal(content.attrs.type, 'html');
      assert.match(content.text, /<strong>quokka<\/strong> sourit &amp; /);
      assert.doesNotMatch(content.text, /<script>/);
      // no participant's name anywhere, and nothing but the public entry
      assert.doesNotMatch(res.text, /Quokka réseau|Quokka interne|Yanis|Encadrant/);
      // anonymous visitors get the same document
      const a = await anon.get(`/groupes/${data.pub}/carnet.atom`);
      assert.equal(a.text, res.text);
    });

    test('no pending entry in a public logbook\'s feed', async () => {
      const res = await anon.get('/groupes/demo-lumieres-du-quartier/carnet.atom');
      assert.equal(res.status, 200);
      const feed = parseXml(res.text);
      const titles = childrenNamed(feed, 'entry').map((e) => child(e, 'title').text);
      assert.ok(titles.length >= 1);
      assert.ok(!titles.includes('Quokka en attente'));
      assert.ok(!titles.includes('Mon rôle dans le film'), 'the demo pending entry');
      assert.ok(!titles.includes('Le découpage technique'), 'the demo network entry');
    });

    test('404 for groups that are not public, whoever asks', async () => {
      for (const slug of [data.net, data.prot, 'demo-portraits-sonores', 'demo-atelier-animation', 'pas-de-groupe']) {
        for (const client of [anon, admin]) {
          const res = await client.get(`/groupes/${slug}/carnet.atom`);
          assert.equal(res.status, 404, slug);
        }
      }
    });

    test('public pages link their feed', async () => {
      for (const path of [`/groupes/${data.pub}`, `/groupes/${data.pub}/carnet`, `/groupes/${data.pub}/carnet/${data.pubEntry}`]) {
        const res = await anon.get(path);
        assert.equal(res.status, 200);
        assert.match(res.text, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="Carnet de bord : Atelier Quokka" href="/groupes/${data.pub}/carnet.atom">`), path);
      }
      assert.doesNotMatch((await jeune.get(`/groupes/${data.net}`)).text, /application\/atom\+xml/);
    });
  });

  describe('sitemap, robots.txt, noindex', () => {
    test('sitemap.xml lists the public pages, and only them', async () => {
      const res = await jeune.get('/sitemap.xml');
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'application/xml; charset=utf-8');
      const set = parseXml(res.text);
      assert.equal(set.name, 'urlset');
      const locs = childrenNamed(set, 'url').map((u) => child(u, 'loc').text);
      for (const l of locs) assert.ok(l.startsWith(`${BASE}/`), l);
      const paths = new Set(locs.map((l) => l.slice(BASE.length)));
      for (const p of ['/', '/coordinations', '/coordinations/hors-cadre', '/structures', '/groupes',
        `/groupes/${data.pub}`, `/groupes/${data.pub}/carnet`, `/groupes/${data.pub}/carnet/${data.pubEntry}`,
        '/groupes/demo-lumieres-du-quartier']) {
        assert.ok(paths.has(p), `sitemap lacks ${p}`);
      }
      assert.ok([...paths].some((p) => /^\/structures\/\d+$/.test(p)), 'structure pages');
      for (const p of [`/groupes/${data.pub}/carnet/${data.netEntry}`, `/groupes/${data.pub}/carnet/${data.grpEntry}`,
        `/groupes/demo-lumieres-du-quartier/carnet/${data.pending}`, `/groupes/${data.net}`,
        `/groupes/${data.net}/carnet/${data.netGroupEntry}`, `/groupes/${data.prot}`,
        `/groupes/${data.prot}/carnet/${data.protEntry}`, '/groupes/demo-portraits-sonores', '/groupes/demo-atelier-animation']) {
        assert.ok(!paths.has(p), `sitemap lists ${p}`);
      }
      // every group page in it is public, with its own lastmod
      for (const u of childrenNamed(set, 'url')) {
        const p = child(u, 'loc').text.slice(BASE.length);
        if (/^\/groupes\/[^/]+$/.test(p)) assert.match(child(u, 'lastmod').text, /^\d{4}-\d\d-\d\d$/);
      }
    });

    test('every page of the sitemap is indexable; a few others are not', async () => {
      const set = parseXml((await anon.get('/sitemap.xml')).text);
      const paths = childrenNamed(set, 'url').map((u) => child(u, 'loc').text.slice(BASE.length));
      const sample = [...paths.filter((p) => !/^\/structures\/\d+$/.test(p)), ...paths.filter((p) => /^\/structures\/\d+$/.test(p)).slice(0, 3)];
      for (const p of sample) {
        const res = await anon.get(p);
        assert.equal(res.status, 200, p);
        assert.doesNotMatch(res.text, NOINDEX, `${p} says noindex`);
      }
      for (const p of ['/connexion', '/recherche', '/recherche?q=quokka', '/structures?page=2', '/groupes/pas-de-groupe']) {
        assert.match((await anon.get(p)).text, NOINDEX, `${p} lacks noindex`);
      }
    });

    test('noindex on a network-only group page for a member; none on a public one', async () => {
      const net = await jeune.get('/groupes/demo-portraits-sonores');
      assert.equal(net.status, 200);
      assert.match(net.text, NOINDEX);
      const netEntry = await jeune.get(`/groupes/${data.pub}/carnet/${data.netEntry}`);
      assert.equal(netEntry.status, 200);
      assert.match(netEntry.text, NOINDEX);
      for (const client of [anon, jeune]) {
        const pub = await client.get('/groupes/demo-lumieres-du-quartier');
        assert.equal(pub.status, 200);
        assert.doesNotMatch(pub.text, NOINDEX);
      }
      // the manager's view of a pending entry is not public either
      const pending = await sup.get(`/groupes/demo-lumieres-du-quartier/carnet/${data.pending}`);
      assert.equal(pending.status, 200);
      assert.match(pending.text, NOINDEX);
    });

    test('robots.txt points to the sitemap', async () => {
      const res = await anon.get('/robots.txt');
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'text/plain; charset=utf-8');
      assert.match(res.text, /^User-agent: \*$/m);
      assert.match(res.text, new RegExp(`^Sitemap: ${BASE}/sitemap.xml$`, 'm'));
    });

    test('the JSON API says noindex', async () => {
      for (const p of ['/api/v1/structures', '/api/v1/openapi.json', '/api/v1/groups', '/api/v1/nothing-here']) {
        const res = await anon.get(p);
        assert.equal(res.headers.get('x-robots-tag'), 'noindex', p);
      }
      assert.equal((await anon.get('/')).headers.get('x-robots-tag'), null);
    });
  });

  describe('home page', () => {
    test('the newest entries the visitor may read', async () => {
      const res = await anon.get('/');
      assert.equal(res.status, 200);
      assert.match(res.text, /Dernières nouvelles des ateliers/);
      const section = res.text.split('id="h-news"')[1].split('</section>')[0];
      assert.match(section, new RegExp(`href="/groupes/${data.pub}/carnet/${data.pubEntry}"`));
      assert.match(section, /Atelier Quokka/);
      assert.match(section, /Le quokka sourit &amp; /);
      assert.doesNotMatch(section, /<script>/);
      assert.doesNotMatch(section, /Quokka réseau|Quokka interne|Quokka en attente|Wombat|Zéphyr/);
      assert.ok((section.match(/class="card news-item"/g) || []).length <= 6);
      const member = (await jeune.get('/')).text.split('id="h-news"')[1].split('</section>')[0];
      assert.match(member, /Quokka réseau/);
      assert.match(member, /Wombat public/);
      assert.doesNotMatch(member, /Quokka interne|Zéphyr/);
    });

    test('an empty database says so', async () => {
      const dir = await freshDataDir({ empty: true });
      const empty = await startServer({ dataDir: dir });
      try {
        const res = await (await clientAs(empty, 'anonymous')).get('/');
        assert.equal(res.status, 200);
        assert.match(res.text, /Aucune nouvelle des ateliers pour le moment/);
      } finally {
        await empty.stop();
        await removeDataDir(dir);
      }
    });
  });
});
