// extract-map: pulls the département outlines out of @gouvfr/dsfr-chart's MapChart bundle.
// Run at build time (node scripts/extract-map.mjs > build/gen/departements-map.json) so the
// server can draw SVG maps itself without shipping or running the Vue component.
//
// The bundle is compiled Vue: each outline is a `w("path", { class: "FR-<code>", ..., d: "..." })`
// call. The mainland map takes its viewBox from a prop whose default is FranceProps.viewBox;
// each overseas inset is its own component with a literal `viewBox: "..."` constant declared
// just before its render function. We read the text rather than import the module because
// importing it needs a browser (Vue, document) and we only want the data.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'node_modules', '@gouvfr', 'dsfr-chart');
const OVERSEAS = ['971', '972', '973', '974', '976'];
const MIN_MAINLAND = 96;
// Path data is copied verbatim into our HTML: accept only SVG path grammar characters.
const PATH_DATA = /^[MmLlHhVvCcSsQqTtAaZz0-9eE.,\s+-]+$/;
const VIEWBOX = /^-?[0-9.]+ -?[0-9.]+ [0-9.]+ [0-9.]+$/;

function fail(msg) {
    process.stderr.write(`extract-map: ${msg}\n`);
    process.exit(1);
}

let js, pkg;
try {
    js = readFileSync(join(pkgDir, 'dist', 'MapChart', 'MapChart.js'), 'utf8');
    pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
} catch (err) {
    fail(`cannot read @gouvfr/dsfr-chart (npm install first?): ${err.message}`);
}

// Cut the bundle at every path call; each piece then holds exactly one path's attributes.
const starts = [];
for (const m of js.matchAll(/\bw\(\s*"path"\s*,\s*\{/g))
    starts.push(m.index);

const paths = new Map(); // code -> { d, pos }
for (let i = 0; i < starts.length; i++) {
    const piece = js.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : starts[i] + 50000);
    const cls = piece.match(/\bclass:\s*"FR-([0-9A-Z]+)"/);
    const d = piece.match(/\bd:\s*"([^"\\]*)"/);
    if (!cls || !d)
        continue;
    const code = cls[1];
    if (!PATH_DATA.test(d[1]))
        fail(`path FR-${code} holds characters outside SVG path syntax`);
    const prev = paths.get(code);
    if (prev && prev.d !== d[1])
        fail(`two different outlines for FR-${code}: the bundle layout changed`);
    paths.set(code, { d: d[1], pos: starts[i], prevStart: i > 0 ? starts[i - 1] : 0 });
}

const franceViewBox = js.match(/FranceProps:\s*\{\s*viewBox:\s*"([^"]+)"/);
if (!franceViewBox || !VIEWBOX.test(franceViewBox[1]))
    fail('mainland viewBox (FranceProps.viewBox) not found');

const isMainland = (code) => /^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B)$/.test(code);
const mainland = {};
for (const code of [...paths.keys()].filter(isMainland).sort())
    mainland[code] = paths.get(code).d;
const nMainland = Object.keys(mainland).length;
if (nMainland < MIN_MAINLAND)
    fail(`only ${nMainland} mainland départements found, expected at least ${MIN_MAINLAND}`);

const overseas = {};
for (const code of OVERSEAS) {
    const p = paths.get(code);
    if (!p)
        fail(`overseas outline FR-${code} not found`);
    // The inset's viewBox constant sits between the previous path call and this one;
    // anything further back belongs to another component.
    const before = js.slice(p.prevStart, p.pos);
    const vbs = [...before.matchAll(/viewBox:\s*"([^"]+)"/g)];
    if (vbs.length === 0)
        fail(`viewBox of overseas inset FR-${code} not found`);
    const vb = vbs[vbs.length - 1][1];
    if (!VIEWBOX.test(vb))
        fail(`viewBox of FR-${code} is malformed: ${vb}`);
    overseas[code] = { viewBox: vb, d: p.d };
}

const doc = {
    source: `${pkg.name} ${pkg.version} (${pkg.license})`,
    mainland: { viewBox: franceViewBox[1], departements: mainland },
    overseas,
};
process.stdout.write(JSON.stringify(doc) + '\n');
process.stderr.write(
    `extract-map: ${nMainland} mainland + ${Object.keys(overseas).length} overseas départements\n`);
