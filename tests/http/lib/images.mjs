// Test images for the photo suites, made here rather than stored: PNGs written byte by byte
// (node's zlib), JPEGs converted from them by ImageMagick's `convert`, metadata and sizes
// written and read back by exiftool (Debian's imagemagick and libimage-exiftool-perl, both
// installed by scripts/deps.sh), and the bad files an upload must refuse (a decompression
// bomb, a truncated JPEG, a PDF, an SVG with a script, an oversized file).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

// ---- PNG ----------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(w, h, depth, colourType) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d[8] = depth;
  d[9] = colourType; // 0 grey, 2 RGB
  d[10] = 0; // deflate
  d[11] = 0; // adaptive filtering
  d[12] = 0; // no interlace
  return chunk('IHDR', d);
}

/** A small deterministic pseudo-random generator (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An RGB PNG of w x h: a gradient and a few coloured rectangles and discs drawn from seed
 * (no faces; two seeds give two different pictures).
 */
export function makePng(w, h, seed = 1) {
  const rand = rng(seed);
  const base = [rand() * 255, rand() * 255, rand() * 255];
  const shapes = [];
  for (let i = 0; i < 6; i++) {
    shapes.push({
      disc: rand() < 0.5,
      x: rand() * w,
      y: rand() * h,
      r: (0.08 + rand() * 0.2) * Math.min(w, h),
      c: [rand() * 255, rand() * 255, rand() * 255].map(Math.round),
    });
  }
  const row = 1 + 3 * w;
  const raw = Buffer.alloc(row * h);
  for (let y = 0; y < h; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      let c = [
        Math.round((base[0] + (255 * x) / w) % 256),
        Math.round((base[1] + (255 * y) / h) % 256),
        Math.round(base[2]),
      ];
      for (const s of shapes) {
        const inside = s.disc
          ? (x - s.x) ** 2 + (y - s.y) ** 2 < s.r ** 2
          : Math.abs(x - s.x) < s.r && Math.abs(y - s.y) < s.r * 0.6;
        if (inside) c = s.c;
      }
      const o = y * row + 1 + 3 * x;
      raw[o] = c[0];
      raw[o + 1] = c[1];
      raw[o + 2] = c[2];
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(w, h, 8, 2),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let bombCache = null;

/**
 * A real, valid w x h PNG (8-bit grey, every pixel black) whose IDAT is the deflated zero
 * rows: 30000 x 30000 by default, 900 million pixels in about 1 MB. Deflated as a stream
 * (the raw rows are never all in memory); built once per process. Resolves the bytes.
 */
export async function makePngBomb(w = 30000, h = 30000) {
  if (bombCache && bombCache.w === w && bombCache.h === h) return bombCache.buf;
  const rowBytes = 1 + w; // filter byte 0, then w zero bytes
  const rowsPerPiece = Math.max(1, Math.floor((4 << 20) / rowBytes));
  const piece = Buffer.alloc(rowBytes * rowsPerPiece);
  const z = zlib.createDeflate({ level: 6 });
  const parts = [];
  z.on('data', (d) => parts.push(d));
  const ended = new Promise((resolve, reject) => {
    z.on('end', resolve);
    z.on('error', reject);
  });
  for (let done = 0; done < h; done += rowsPerPiece) {
    const n = Math.min(rowsPerPiece, h - done);
    if (!z.write(n === rowsPerPiece ? piece : piece.subarray(0, n * rowBytes))) {
      await new Promise((r) => z.once('drain', r));
    }
  }
  z.end();
  await ended;
  const buf = Buffer.concat([
    PNG_SIGNATURE,
    ihdr(w, h, 8, 0),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  bombCache = { w, h, buf };
  return buf;
}

// ---- JPEG (ImageMagick) and metadata (exiftool) --------------------------------------------

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lanterne-img-'));
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** A JPEG of w x h (seeded picture, see makePng), through ImageMagick's `convert`, without metadata. */
export function makeJpeg(w, h, seed = 1, { quality = 85 } = {}) {
  const dir = tmpDir();
  try {
    const src = path.join(dir, 'in.png');
    const dst = path.join(dir, 'out.jpg');
    fs.writeFileSync(src, makePng(w, h, seed));
    run('convert', [src, '-strip', '-quality', String(quality), dst]);
    return fs.readFileSync(dst);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copy of the image bytes with metadata written by exiftool: args such as
 * ['-GPSLatitude=48.85', '-Make=Telephone'] (see exiftool's documentation).
 */
export function withMetadata(bytes, args, ext = 'jpg') {
  const dir = tmpDir();
  try {
    const f = path.join(dir, `img.${ext}`);
    fs.writeFileSync(f, bytes);
    run('exiftool', ['-q', '-overwrite_original', ...args, f]);
    return fs.readFileSync(f);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every tag exiftool finds in the bytes, as `exiftool -j -a -G1` reports them: an object of
 * "Group:Tag" -> value (SourceFile, the ExifTool and System groups and the File group but
 * for File:Comment (a JPEG COM segment) left out: they describe the file on disk, not what
 * it carries).
 */
export function readMetadata(bytes, ext = 'jpg') {
  const dir = tmpDir();
  try {
    const f = path.join(dir, `img.${ext}`);
    fs.writeFileSync(f, bytes);
    const [tags] = JSON.parse(run('exiftool', ['-j', '-a', '-G1', '-struct', f]));
    const out = {};
    for (const [k, v] of Object.entries(tags)) {
      if (k === 'SourceFile' || /^(ExifTool|System):/.test(k)) continue;
      if (k.startsWith('File:') && k !== 'File:Comment') continue;
      out[k] = v;
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Width and height of an image (JPEG, PNG, WebP), as exiftool reads them from its header. */
export function imageSize(bytes) {
  const dir = tmpDir();
  try {
    const f = path.join(dir, 'img');
    fs.writeFileSync(f, bytes);
    const [tags] = JSON.parse(run('exiftool', ['-j', '-n', '-ImageWidth', '-ImageHeight', f]));
    return { width: Number(tags.ImageWidth), height: Number(tags.ImageHeight) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- files an upload must refuse -----------------------------------------------------------

/** The first `keep` (default: 60 %) of a JPEG: its header parses, its pixels stop short. */
export function truncated(bytes, keep = 0.6) {
  return bytes.subarray(0, Math.floor(bytes.length * keep));
}

/** A small, valid one-page PDF (to be uploaded under a .jpg name). */
export function makePdf() {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
  ];
  const stream = 'BT /F1 12 Tf 20 100 Td (Pas une photo) Tj ET';
  objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** An SVG picture carrying a script (to be uploaded under a .png name). */
export function makeSvgWithScript() {
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">\n' +
      '  <rect width="400" height="300" fill="#c33"/>\n' +
      '  <script type="text/javascript">alert(document.cookie)</script>\n' +
      '</svg>\n',
  );
}

/** n bytes that start like a JPEG (SOI, APP0 JFIF) and go on with zeros: a size test only. */
export function oversized(n) {
  const b = Buffer.alloc(n);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(b);
  return b;
}
