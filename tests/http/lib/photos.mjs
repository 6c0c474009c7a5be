// Helpers for the photo suites (tests/http/photos.test.mjs, tests/browser/photos.test.mjs):
// building a group with participants, consents and a logbook entry through the site's own
// forms, multipart uploads with a Client's session, reading galleries and media answers,
// and counting what the server stored.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** A day n days before today as YYYY-MM-DD, in UTC (a few days avoid time zone edges). */
export function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** Yesterday as YYYY-MM-DD in the local time zone, the one the server's "today" uses. */
export function localYesterday() {
  const d = new Date();
  d.setDate(d.getDate() - 1);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The text of an HTML fragment with the entities our templates write decoded. */
export function unescapeHtml(s) {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The first structure the client may host a group in (the new-group form's first option). */
export async function firstStructure(client) {
  const res = await client.get('/groupes/nouveau');
  assert.equal(res.status, 200, `GET /groupes/nouveau: ${res.status}`);
  const m = res.text.match(/<option value="(\d+)"/);
  assert.ok(m, 'the new-group form offers a structure');
  return m[1];
}

/**
 * Creates a group through the form, then its participants and their consents through the
 * group pages. participants: [{name, band, level, signedOn?, expiresOn?}] (level: none,
 * group, network, public; null: no consent recorded). Resolves {slug, people: {name: id}}.
 */
export async function createGroup(client, { title, visibility = 'public', isProtected = false, participants = [] }) {
  const structure = await firstStructure(client);
  const fields = { title, year: '2026', structure_id: structure, status: 'in_progress', visibility };
  if (isProtected) fields.is_protected = '1';
  const res = await client.post('/groupes', fields);
  assert.equal(res.status, 303, `POST /groupes → ${res.status}: ${res.text.slice(0, 400)}`);
  const slug = res.location.split('/').pop();
  const people = {};
  for (const p of participants) {
    const add = await client.post(`/groupes/${slug}/participants`, { display_name: p.name, age_band: p.band || '15-17' });
    assert.equal(add.status, 303, `participant ${p.name}: ${add.status} ${add.text.slice(0, 300)}`);
  }
  const page = await client.get(`/groupes/${slug}/participants`);
  for (const m of page.text.matchAll(/<th scope="row">([^<]+)<\/th>[\s\S]*?\/participants\/(\d+)\/consentement/g)) {
    people[unescapeHtml(m[1])] = Number(m[2]);
  }
  for (const p of participants) {
    assert.ok(people[p.name], `participant ${p.name} listed`);
    if (p.level) await recordConsent(client, slug, people[p.name], p);
  }
  return { slug, people };
}

/** Records a consent from the paper form (both signatures ticked). */
export async function recordConsent(client, slug, id, { level, signedOn = daysAgo(3), expiresOn = '' }) {
  const res = await client.post(`/groupes/${slug}/participants/${id}/consentement`, {
    level,
    parent_agreed: '1',
    minor_agreed: '1',
    signed_on: signedOn,
    expires_on: expiresOn,
  });
  assert.equal(res.status, 303, `consent ${level} for ${id}: ${res.status} ${res.text.slice(0, 400)}`);
}

/** Withdraws the consent in force, confirmed. */
export async function withdrawConsent(client, slug, id) {
  const res = await client.post(`/groupes/${slug}/participants/${id}/retrait`, { confirm: '1', withdraw_note: 'Demande des parents (test)' });
  assert.equal(res.status, 303, `withdrawal for ${id}: ${res.status} ${res.text.slice(0, 400)}`);
}

/** Writes a published entry; resolves its id. */
export async function createEntry(client, slug, { title, body = 'Texte de l\'entrée.', visibility = 'public' }) {
  const res = await client.post(`/groupes/${slug}/carnet`, { title, body_md: body, visibility, entry_date: daysAgo(1) });
  assert.equal(res.status, 303, `POST carnet → ${res.status}: ${res.text.slice(0, 400)}`);
  const m = res.location.match(/\/carnet\/(\d+)$/);
  assert.ok(m, `redirect to the entry: ${res.location}`);
  return Number(m[1]);
}

/**
 * A multipart/form-data POST with client's session: fields ([name, value] pairs or an
 * object), files ([{field = 'photo', name, bytes, type}]). The session's CSRF token goes in
 * the `_csrf` field (first part) and in X-CSRF-Token. Resolves {status, headers, text,
 * contentType, location, json()}.
 */
export async function postMultipart(client, pathname, { fields = [], files = [], csrf = true } = {}) {
  const fd = new FormData();
  const token = csrf ? await client.csrf() : null;
  if (token) fd.append('_csrf', token);
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  for (const [k, v] of pairs) fd.append(k, v);
  for (const f of files) {
    fd.append(f.field || 'photo', new Blob([f.bytes], { type: f.type || 'application/octet-stream' }), f.name);
  }
  const headers = {};
  const cookie = client.cookieHeader();
  if (cookie) headers.Cookie = cookie;
  if (token) headers['X-CSRF-Token'] = token;
  const res = await fetch(client.base + pathname, { method: 'POST', body: fd, headers, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  return answer(res);
}

/** The image as the whole body of POST /api/v1/entries/{id}/photos (alt in the query). */
export async function postRawPhoto(client, entryId, bytes, { type = 'image/jpeg', alt } = {}) {
  const token = await client.csrf();
  const q = alt !== undefined ? `?alt=${encodeURIComponent(alt)}` : '';
  const headers = { 'Content-Type': type, 'X-CSRF-Token': token };
  const cookie = client.cookieHeader();
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(`${client.base}/api/v1/entries/${entryId}/photos${q}`, {
    method: 'POST', body: bytes, headers, redirect: 'manual', signal: AbortSignal.timeout(60_000),
  });
  return answer(res);
}

async function answer(res) {
  const text = await res.text();
  const contentType = res.headers.get('content-type') || '';
  return {
    status: res.status,
    headers: res.headers,
    text,
    contentType,
    location: res.headers.get('location'),
    json() {
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`not JSON (${res.status} ${contentType}): ${text.slice(0, 300)}`);
      }
    },
  };
}

/** GETs url (a path) with client's cookies (or none: client null); resolves {status, headers, bytes}. */
export async function fetchBytes(client, url) {
  const headers = {};
  const cookie = client ? client.cookieHeader() : '';
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(client ? new URL(url, client.base) : new URL(url), { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/**
 * The photos of a page's gallery (<ul class="gallery">): [{id, pageUrl, src, srcsets, alt}].
 * Empty when the page has no gallery.
 */
export function galleryPhotos(html) {
  const m = html.match(/<ul class="gallery">([\s\S]*?)<\/ul>/);
  if (!m) return [];
  const out = [];
  for (const li of m[1].split(/<li>/).slice(1)) {
    const page = li.match(/href="([^"]*\/photos\/(\d+))"/);
    const src = li.match(/<img [^>]*\bsrc="([^"]*)"/);
    const alt = li.match(/<img [^>]*\balt="([^"]*)"/);
    const srcsets = [...li.matchAll(/\bsrcset="([^"]*)"/g)].map((s) => unescapeHtml(s[1]));
    out.push({
      id: page ? Number(page[2]) : null,
      pageUrl: page ? page[1] : null,
      src: src ? unescapeHtml(src[1]) : null,
      alt: alt ? unescapeHtml(alt[1]) : null,
      srcsets,
    });
  }
  return out;
}

/** Every media URL in a srcset list ("url 320w, url 1024w"). */
export function srcsetUrls(srcset) {
  return srcset.split(',').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean);
}

/** The files under <dataDir>/media/photos (recursively), as relative paths. */
export function storedPhotoFiles(dataDir) {
  const root = path.join(dataDir, 'media', 'photos');
  const out = [];
  const walk = (dir) => {
    let names;
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return;
      throw err;
    }
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** A regular expression matching any trace of photo id in a document: its media or page URL. */
export function photoTrace(id) {
  return new RegExp(`/media/photos/${id}/|/photos/${id}(?![0-9])`);
}
