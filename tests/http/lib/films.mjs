// Helpers for the film suites (tests/http/films.test.mjs, tests/browser/films.test.mjs): a
// short test video made with ffmpeg, its upload through the tus endpoint with a Client's
// session, waiting for the processing job, and the film's files on disk.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A seconds-long MP4 (test pattern, tone, drawn timer) made with ffmpeg; resolves its path. */
export function makeVideo(seconds = 4, { width = 640, height = 360 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-film-'));
  const out = path.join(dir, 'source.mp4');
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', out,
  ], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffmpeg: ${r.stderr}`);
  return out;
}

/** Uploads the file at file for film id through POST /api/v1/uploads (creation-with-upload). */
export async function tusUpload(client, filmId, file) {
  const bytes = fs.readFileSync(file);
  const token = await client.csrf();
  const meta = [
    ['kind', 'film'], ['target', String(filmId)], ['filename', path.basename(file)],
  ].map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
  const res = await fetch(`${client.base}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': meta,
      'Content-Type': 'application/offset+octet-stream',
      'X-CSRF-Token': token,
      Cookie: client.cookieHeader(),
    },
    body: bytes,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  assert.equal(res.status, 201, `tus upload: ${res.status} ${text.slice(0, 300)}`);
  assert.equal(res.headers.get('upload-offset'), String(bytes.length), 'the whole file in one request');
}

/** Polls the status endpoint until the film is ready (or failed: throws with its message). */
export async function waitReady(client, filmId, timeoutMs = 240_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    const r = await client.get(`/api/v1/films/${filmId}/status`);
    assert.equal(r.status, 200, `status: ${r.status} ${r.text.slice(0, 200)}`);
    last = r.json();
    if (last.status === 'ready') return last;
    if (last.status === 'failed') throw new Error(`processing failed: ${last.error}`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error(`film ${filmId} not ready in time: ${JSON.stringify(last)}`);
}

/** The directory of the film's media under dataDir (the one holding film.mp4 newest). */
export function filmDir(dataDir, fileRel = 'film.mp4') {
  const root = path.join(dataDir, 'media', 'films');
  const dirs = fs.readdirSync(root).map((d) => path.join(root, d)).filter((d) => fs.existsSync(path.join(d, fileRel)));
  dirs.sort((a, b) => fs.statSync(path.join(b, fileRel)).mtimeMs - fs.statSync(path.join(a, fileRel)).mtimeMs);
  return dirs[0];
}

/** The URI lines of an HLS playlist. */
export function playlistUris(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Resolves a playlist URI against the playlist's URL path (both site-relative). */
export function resolveUri(base, uri) {
  return new URL(uri, `http://x${base}`).pathname + new URL(uri, `http://x${base}`).search;
}

/** A GET with the client's cookies and extra headers; resolves {status, headers, bytes}. */
export async function getBytes(client, pathname, headers = {}) {
  const h = { ...headers };
  const cookie = client.cookieHeader();
  if (cookie) h.Cookie = cookie;
  const res = await fetch(client.base + pathname, { headers: h, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export const VTT = 'WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nBonjour le quartier\n';
