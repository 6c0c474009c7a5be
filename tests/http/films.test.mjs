// Workshop films, against issue 5's "Done when" for the web side: the film record through the
// site's forms and the API; a film processed from a real upload (tus) plays from HLS
// playlists and segments served with their types and cache rules; range requests get exact
// bytes and 416 past the end; a film crediting a participant with only `network` consent
// cannot be reached anonymously through any route (page, player, playlists, segments,
// poster, embed, feed, sitemap, search, library, API); signed media URLs refuse tampering,
// expiry and other accounts; the original is never served; captions reach the player.
//
// One server (a copy of the init + demo fixture) for the file; the describe blocks build on
// each other in order.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { clientAs, startServer } from './lib/server.mjs';
import { createGroup, postMultipart, unescapeHtml } from './lib/photos.mjs';
import { VTT, filmDir, getBytes, makeVideo, playlistUris, resolveUri, tusUpload, waitReady } from './lib/films.mjs';

const TITLE = 'Le film ornithorynque';
const WORD = 'ornithorynque';

let server;
const who = {};
const s = {};

before(async () => {
  server = await startServer();
  who.sup = await clientAs(server, 'supervisor');
  who.anon = await clientAs(server, 'anonymous');
  who.jeune = await clientAs(server, 'participant');
  who.admin = await clientAs(server, 'admin');
  const g = await createGroup(who.sup, {
    title: 'Groupe ornithorynque',
    visibility: 'public',
    participants: [
      { name: 'Alicia', level: 'public' },
      { name: 'Bruno', level: 'network' },
    ],
  });
  s.slug = g.slug;
  s.people = g.people;
});

after(async () => {
  if (server) await server.stop();
});

/** The film's page model: the <video> attributes and the tracks. */
function player(html) {
  const v = html.match(/<video[^>]*data-hls="([^"]+)"[^>]*data-mp4="([^"]+)"/);
  if (!v) return null;
  const poster = html.match(/<video[^>]*poster="([^"]+)"/);
  const tracks = [...html.matchAll(/<track kind="([^"]+)" srclang="([^"]+)" label="([^"]+)" src="([^"]+)">/g)].map((m) => ({
    kind: m[1], lang: m[2], label: m[3], src: unescapeHtml(m[4]),
  }));
  return { hls: unescapeHtml(v[1]), mp4: unescapeHtml(v[2]), poster: unescapeHtml(poster[1]), tracks };
}

describe('the film record', () => {
  test('the new-film form lists the groups the viewer may add a film to, and re-shows errors with 422', async () => {
    const form = await who.sup.get(`/films/nouveau?groupe=${s.slug}`);
    assert.equal(form.status, 200);
    const m = form.text.match(/<option value="(\d+)" selected>Groupe ornithorynque/);
    assert.ok(m, 'the group is preselected');
    s.groupId = m[1];
    const bad = await who.sup.post('/films', { group_id: s.groupId, title: '', synopsis: 'Sans titre' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /aria-invalid="true"/);
    assert.match(bad.text, /Sans titre/, 'the values are kept');
    const none = await who.sup.post('/films', { title: 'Sans groupe' });
    assert.equal(none.status, 422);
    const other = await who.jeune.post('/films', { group_id: s.groupId, title: 'Intrus' });
    assert.notEqual(other.status, 303, 'a participant of another group may not add a film here');
  });

  test('created through the form, it waits for its file; the upload page explains JavaScript is needed', async () => {
    const res = await who.sup.post('/films', {
      group_id: s.groupId, title: TITLE, synopsis: 'Un film sur un animal étrange.', genre: 'documentary',
      themes: 'environment', tags: 'animaux, rivière', language: 'fr', licence: 'cc-by', download_allowed: '1', visibility: 'public',
    });
    assert.equal(res.status, 303, res.text.slice(0, 500));
    const m = res.location.match(/\/films\/(\d+)\/fichier$/);
    assert.ok(m, res.location);
    s.id = Number(m[1]);
    const up = await who.sup.get(res.location);
    assert.equal(up.status, 200);
    assert.match(up.text, /class="needs-js"/);
    assert.match(up.text, /data-tus[^>]*data-endpoint="\/api\/v1\/uploads"[^>]*data-film="\d+"/);
    assert.match(up.text, /<script src="\/static\/vendor\/tus\.min\.[0-9a-f]{10}\.js" defer>/);
    const page = await who.sup.get(`/films/${s.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Envoyer le fichier du film/);
    // a draft is seen only by those who may edit it
    assert.equal((await who.anon.get(`/films/${s.id}`)).status, 404);
    assert.equal((await who.anon.get(`/api/v1/films/${s.id}`)).status, 404);
  });

  test('the API reads and updates the record; 422 names the field', async () => {
    const r = await who.sup.get(`/api/v1/films/${s.id}`);
    assert.equal(r.status, 200);
    const f = r.json();
    assert.equal(f.title, TITLE);
    assert.equal(f.status, 'draft');
    assert.equal(f.tags.length, 2);
    const bad = await who.sup.put(`/api/v1/films/${s.id}`, { visibility: 'partout' });
    assert.equal(bad.status, 422);
    assert.ok(bad.json().errors.visibility, bad.text);
    const ok = await who.sup.put(`/api/v1/films/${s.id}`, {
      credits: [{ role: 'Réalisation', participant_id: s.people.Alicia }, { role: 'Intervenante', name: 'Mme Intervenante' }],
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json().credits.length, 2);
  });
});

describe('processing and playback', () => {
  test('an upload through tus is processed; the editor sees the progress until it is ready', async () => {
    await tusUpload(who.sup, s.id, makeVideo(4));
    const page = await who.sup.get(`/films/${s.id}`);
    assert.equal(page.status, 200);
    if (/data-state="processing"/.test(page.text)) {
      assert.match(page.text, /<meta http-equiv="refresh" content="\d+">/, 'refreshes itself without JS');
      assert.match(page.text, /data-film-status="\/api\/v1\/films\/\d+\/status"/);
    }
    await waitReady(who.sup, s.id);
    s.dir = filmDir(server.dataDir);
  });

  test('anonymous visitors get the player with plain URLs, the tracks, credits without participants\' names', async () => {
    const page = await who.anon.get(`/films/${s.id}`);
    assert.equal(page.status, 200);
    const p = player(page.text);
    assert.ok(p, 'a <video> with data-hls and data-mp4');
    assert.equal(p.hls, `/media/films/${s.id}/hls/master.m3u8`);
    assert.equal(p.mp4, `/media/films/${s.id}/film.mp4`);
    assert.match(p.poster, new RegExp(`^/media/films/${s.id}/poster-[123]\\.jpg$`));
    assert.match(page.text, /<video[^>]*src="\/media\/films\/\d+\/film\.mp4"/, 'plays the MP4 without JavaScript');
    assert.match(page.text, /Mme Intervenante/, 'a facilitator is named');
    assert.doesNotMatch(page.text, /Alicia/, 'participants are named only within the group\'s circle');
    assert.match(page.text, /Réalisation/);
    const inside = await who.sup.get(`/films/${s.id}`);
    assert.match(inside.text, /Alicia/);
    s.player = p;
  });

  test('playlists, segments, poster and MP4 are served with their types and cache rules', async () => {
    const master = await getBytes(who.anon, s.player.hls);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.match(master.headers.get('cache-control'), /^public, max-age=\d+$/);
    const text = master.bytes.toString();
    assert.match(text, /^#EXTM3U/);
    const variants = playlistUris(text);
    assert.ok(variants.length >= 1);
    const rendition = resolveUri(s.player.hls, variants[0]);
    const pl = await getBytes(who.anon, rendition);
    assert.equal(pl.status, 200);
    const segs = playlistUris(pl.bytes.toString());
    assert.ok(segs.length >= 1);
    const seg = await getBytes(who.anon, resolveUri(rendition, segs[0]));
    assert.equal(seg.status, 200);
    assert.match(seg.headers.get('content-type'), /^video\/(mp2t|mp4)$/);
    assert.equal(seg.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    s.segment = resolveUri(rendition, segs[0]);
    const poster = await getBytes(who.anon, s.player.poster);
    assert.equal(poster.status, 200);
    assert.equal(poster.headers.get('content-type'), 'image/jpeg');
    assert.equal(poster.bytes[0], 0xff);
    const orig = await getBytes(who.anon, `/media/films/${s.id}/original`);
    assert.equal(orig.status, 404, 'the original upload is never served');
    assert.equal((await getBytes(who.anon, `/media/films/${s.id}/../../photos/x`)).status, 404);
  });

  test('range requests on the MP4 get exact bytes; past the end, 416', async () => {
    const disk = fs.readFileSync(path.join(s.dir, 'film.mp4'));
    const full = await getBytes(who.anon, s.player.mp4);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'video/mp4');
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    assert.ok(full.bytes.equals(disk));
    const part = await getBytes(who.anon, s.player.mp4, { Range: 'bytes=100-1123' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-1123/${disk.length}`);
    assert.ok(part.bytes.equals(disk.subarray(100, 1124)));
    const tail = await getBytes(who.anon, s.player.mp4, { Range: 'bytes=-500' });
    assert.equal(tail.status, 206);
    assert.ok(tail.bytes.equals(disk.subarray(disk.length - 500)));
    const past = await getBytes(who.anon, s.player.mp4, { Range: `bytes=${disk.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${disk.length}`);
    const dl = await getBytes(who.anon, `${s.player.mp4}?download=1`);
    assert.match(dl.headers.get('content-disposition') || '', /^attachment/);
  });

  test('captions uploaded through the form become a <track> of the player', async () => {
    const res = await postMultipart(who.sup, `/films/${s.id}/sous-titres`, {
      fields: { lang: 'fr', sdh: '1' },
      files: [{ field: 'captions', name: 'fr.vtt', type: 'text/vtt', bytes: Buffer.from(VTT) }],
    });
    assert.equal(res.status, 303, res.text.slice(0, 400));
    const bad = await postMultipart(who.sup, `/films/${s.id}/sous-titres`, {
      fields: { lang: 'fr' },
      files: [{ field: 'captions', name: 'x.vtt', type: 'text/vtt', bytes: Buffer.from('pas des sous-titres') }],
    });
    assert.equal(bad.status, 422);
    const p = player((await who.anon.get(`/films/${s.id}`)).text);
    assert.equal(p.tracks.length, 1);
    assert.equal(p.tracks[0].kind, 'captions');
    assert.equal(p.tracks[0].lang, 'fr');
    const vtt = await getBytes(who.anon, p.tracks[0].src);
    assert.equal(vtt.status, 200);
    assert.match(vtt.headers.get('content-type'), /^text\/vtt/);
    assert.match(vtt.bytes.toString(), /^WEBVTT/);
  });

  test('the edit forms: record, credits and people appearing, poster', async () => {
    const edit = await who.sup.get(`/films/${s.id}/modifier`);
    assert.equal(edit.status, 200);
    assert.match(edit.text, new RegExp(`value="${TITLE}"`));
    const bad = await who.sup.post(`/films/${s.id}`, { title: '', year: '2026', visibility: 'public', licence: 'cc-by' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /aria-invalid="true"/);
    const ok = await who.sup.post(`/films/${s.id}`, {
      title: TITLE, synopsis: 'Un film sur un animal étrange.', year: '2025', genre: 'documentary', language: 'fr',
      licence: 'cc-by', download_allowed: '1', visibility: 'public', tags: 'animaux, rivière', themes: 'environment',
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.equal((await who.sup.get(`/api/v1/films/${s.id}`)).json().year, 2025);
    const extras = await who.sup.get(`/films/${s.id}/generique`);
    assert.equal(extras.status, 200);
    assert.match(extras.text, /name="poster" type="radio" value="3"/);
    const credits = await who.sup.post(`/films/${s.id}/generique`, {
      role_0: 'Réalisation', participant_0: String(s.people.Alicia), name_0: '',
      role_1: 'Intervenante', participant_1: '', name_1: 'Mme Intervenante',
      role_2: '', participant_2: '', name_2: '',
      appearing: String(s.people.Alicia),
    });
    assert.equal(credits.status, 303, credits.text.slice(0, 300));
    const f = (await who.sup.get(`/api/v1/films/${s.id}`)).json();
    assert.deepEqual(f.credits.map((c) => c.role), ['Réalisation', 'Intervenante']);
    assert.deepEqual(f.appearing, [s.people.Alicia]);
    const stranger = await who.sup.post(`/films/${s.id}/generique`, { role_0: 'Son', participant_0: '999999' });
    assert.equal(stranger.status, 422);
    const poster = await who.sup.post(`/films/${s.id}/affiche`, { poster: '3' });
    assert.equal(poster.status, 303);
    assert.match((await who.anon.get(`/films/${s.id}`)).text, new RegExp(`poster="/media/films/${s.id}/poster-3\\.jpg"`));
    s.player.poster = `/media/films/${s.id}/poster-3.jpg`;
    // someone outside the group may not edit it
    assert.equal((await who.jeune.get(`/films/${s.id}/modifier`)).status, 403);
    assert.equal((await who.jeune.put(`/api/v1/films/${s.id}`, { title: 'Volé' })).status, 403);
  });

  test('a file that is not a video fails with a message for people, a retry and a replace link', async () => {
    const r = await who.sup.postJson('/api/v1/films', { group: s.slug, title: 'Film raté', visibility: 'public' });
    assert.equal(r.status, 201, r.text);
    const id = r.json().id;
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'lanterne-notvideo-'));
    const file = path.join(dir, 'pas-une-video.mp4');
    fs.writeFileSync(file, Buffer.alloc(200_000, 'x'));
    await tusUpload(who.sup, id, file);
    await assert.rejects(waitReady(who.sup, id), /processing failed/);
    const page = await who.sup.get(`/films/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Le traitement du film a échoué/);
    assert.match(page.text, new RegExp(`<form method="post" action="/films/${id}/relancer"`));
    assert.match(page.text, new RegExp(`href="/films/${id}/fichier"`));
    assert.doesNotMatch(page.text, /<video/);
    assert.equal((await who.anon.get(`/films/${id}`)).status, 404, 'a film that is not ready is seen only by its editors');
    const status = (await who.sup.get(`/api/v1/films/${id}/status`)).json();
    assert.equal(status.status, 'failed');
    assert.ok(status.error.length > 0);
    const del = await who.sup.post(`/films/${id}/supprimer`, {});
    assert.equal(del.status, 303);
    assert.equal((await who.sup.get(`/films/${id}`)).status, 404);
  });

  test('the embed page of a public film may be framed by any site', async () => {
    const res = await getBytes(who.anon, `/films/${s.id}/embed`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy'), /frame-ancestors \*/);
    assert.equal(res.headers.get('x-frame-options'), null);
    const page = await getBytes(who.anon, `/films/${s.id}`);
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  });

  test('the public film is in the library, the feed, the sitemap, the search, the API and the home page', async () => {
    assert.match((await who.anon.get('/films')).text, new RegExp(TITLE));
    assert.match((await who.anon.get(`/films?q=${WORD}`)).text, new RegExp(TITLE));
    assert.doesNotMatch((await who.anon.get('/films?genre=fiction')).text, new RegExp(TITLE));
    assert.match((await who.anon.get('/films.atom')).text, new RegExp(`/films/${s.id}</id>`));
    assert.match((await who.anon.get('/sitemap.xml')).text, new RegExp(`/films/${s.id}</loc>`));
    assert.match((await who.anon.get(`/recherche?q=${WORD}`)).text, new RegExp(TITLE));
    const api = (await who.anon.get(`/api/v1/films?q=${WORD}`)).json();
    assert.equal(api.total, 1);
    assert.equal(api.items[0].media.hls, `/media/films/${s.id}/hls/master.m3u8`);
    assert.match((await who.anon.get('/')).text, new RegExp(TITLE));
    assert.match((await who.anon.get(`/groupes/${s.slug}`)).text, new RegExp(TITLE));
  });
});

describe('a participant with only network consent', () => {
  test('once credited, the film is unreachable anonymously through every route', async () => {
    const r = await who.sup.put(`/api/v1/films/${s.id}`, { appearing: [s.people.Bruno] });
    assert.equal(r.status, 200, r.text);
    const a = who.anon;
    for (const p of [`/films/${s.id}`, `/films/${s.id}/embed`, `/api/v1/films/${s.id}`, `/api/v1/films/${s.id}/status`]) {
      assert.equal((await a.get(p)).status, 404, p);
    }
    for (const p of [s.player.hls, s.segment, s.player.poster, s.player.mp4, `/media/films/${s.id}/storyboard.jpg`]) {
      assert.equal((await getBytes(a, p)).status, 404, p);
    }
    for (const p of ['/films', `/films?q=${WORD}`, '/films.atom', '/sitemap.xml', `/recherche?q=${WORD}`, '/', `/groupes/${s.slug}`]) {
      const res = await a.get(p);
      assert.doesNotMatch(res.text, new RegExp(TITLE), p);
      assert.doesNotMatch(res.text, new RegExp(`/films/${s.id}[^0-9]`), p);
    }
    assert.equal((await a.get(`/api/v1/films?q=${WORD}`)).json().total, 0);
  });

  test('members of the network get signed URLs; playlists are rewritten so each segment carries its signature', async () => {
    const page = await who.jeune.get(`/films/${s.id}`);
    assert.equal(page.status, 200);
    const p = player(page.text);
    assert.match(p.hls, /^\/media\/films\/\d+\/hls\/master\.m3u8\?e=\d+&s=[0-9a-f]{64}$/);
    const master = await getBytes(who.jeune, p.hls);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('cache-control'), 'private, max-age=600');
    const variant = playlistUris(master.bytes.toString())[0];
    assert.match(variant, /\?e=\d+&s=[0-9a-f]{64}$/);
    const rendition = resolveUri(p.hls.split('?')[0], variant);
    const pl = await getBytes(who.jeune, rendition);
    assert.equal(pl.status, 200);
    const seg = playlistUris(pl.bytes.toString())[0];
    assert.match(seg, /\?e=\d+&s=[0-9a-f]{64}$/);
    const segPath = resolveUri(rendition.split('?')[0], seg);
    const got = await getBytes(who.jeune, segPath);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('cache-control'), 'private, max-age=600');
    s.signed = { hls: p.hls, seg: segPath, mp4: p.mp4 };
    // the captions and the poster are signed too
    assert.match(p.poster, /\?e=\d+&s=/);
    assert.match(p.tracks[0].src, /\?e=\d+&s=/);
    assert.equal((await getBytes(who.jeune, p.tracks[0].src)).status, 200);
  });

  test('a tampered, expired, unsigned or another account\'s URL is refused', async () => {
    const { hls, seg, mp4 } = s.signed;
    const tampered = hls.replace(/s=([0-9a-f])/, (m, c) => `s=${c === '0' ? '1' : '0'}`);
    assert.equal((await getBytes(who.jeune, tampered)).status, 403);
    const expired = seg.replace(/e=\d+/, 'e=1000');
    assert.equal((await getBytes(who.jeune, expired)).status, 403);
    assert.equal((await getBytes(who.jeune, seg.split('?')[0])).status, 403);
    // another file with this signature
    assert.equal((await getBytes(who.jeune, mp4.replace('film.mp4', 'storyboard.jpg'))).status, 403);
    // the supervisor may see the film, but this URL was signed for the participant
    assert.equal((await getBytes(who.sup, seg)).status, 403);
    // an anonymous visitor may not see it at all
    assert.equal((await getBytes(who.anon, seg)).status, 404);
    assert.equal((await getBytes(who.jeune, mp4, { Range: 'bytes=0-9' })).status, 206);
  });

  test('an admin deletes the film through the API: its page and files are gone', async () => {
    const del = await who.admin.delete(`/api/v1/films/${s.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal((await who.sup.get(`/films/${s.id}`)).status, 404);
    assert.equal((await getBytes(who.sup, s.signed.seg)).status, 404);
  });
});

describe('collections', () => {
  test('a coordinator-level collection through the API, its page, and the library filter', async () => {
    const c = await who.admin.postJson('/api/v1/collections', { title: 'Sélection ornithorynque', description: 'Des films.' });
    assert.equal(c.status, 201, c.text);
    const slug = c.json().slug;
    assert.equal((await who.anon.get(`/films/collections/${slug}`)).status, 200);
    assert.equal((await who.anon.get(`/api/v1/collections/${slug}`)).json().films.length, 0);
    assert.match((await who.anon.get('/films')).text, /Sélection ornithorynque/);
    assert.equal((await who.anon.get('/films/collections/inexistante')).status, 404);
  });
});
