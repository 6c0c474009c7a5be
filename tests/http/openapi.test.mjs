// The OpenAPI document (static/openapi.json, served at GET /api/v1/openapi.json) against the
// server it describes: it parses and is OpenAPI 3.1; every /api/v1/ route of `lanterne
// routes` is documented with its method and least role, and nothing else is; every $ref
// resolves; and live answers conform to the schemas the document gives for them (a small
// validator for the subset of JSON Schema the document uses, no npm dependency).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, Client, clientAs, runCli, startServer } from './lib/server.mjs';

const ROLES = ['anonymous', 'participant', 'supervisor', 'coordinator', 'admin'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let server;
let doc; // the document as served
let routes; // `lanterne routes`

before(async () => {
  server = await startServer();
  const res = await fetch(`${server.url}/api/v1/openapi.json`);
  assert.equal(res.status, 200, 'GET /api/v1/openapi.json');
  doc = JSON.parse(await res.text());
  const out = await runCli(['routes']);
  assert.equal(out.code, 0, `lanterne routes failed:\n${out.stderr}`);
  routes = JSON.parse(out.stdout);
});
after(async () => {
  if (server) await server.stop();
});

// ---- helpers ------------------------------------------------------------------------------

/** "/a/{slug}/b" and "/a/{id}/b" are the same route: parameter names do not matter. */
const normalize = (pattern) => pattern.replace(/\{[^}/]*\}/g, '{}');

/** Every operation of the document as {path, method, op}. */
function operations() {
  const list = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) if (item[m]) list.push({ path: p, method: m, op: item[m] });
  }
  return list;
}

/** Follows a local JSON pointer ("#/components/schemas/X"); undefined when it leads nowhere. */
function resolvePointer(ref) {
  if (!ref.startsWith('#')) return undefined;
  let node = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** The object itself, or what its $ref points at (chains followed). */
function deref(node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 20; i++) n = resolvePointer(n.$ref);
  return n;
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function typeMatches(t, v) {
  const actual = typeOf(v);
  return t === actual || (t === 'number' && actual === 'integer');
}

/**
 * Validates value against schema; returns a list of "where: what" strings (empty = valid).
 * Supports $ref, allOf, anyOf, oneOf, type (a name or an array of names: nullable), enum,
 * const, required, properties, additionalProperties, items, minItems/maxItems,
 * minLength/maxLength, pattern, minimum/maximum. strict: an object whose schema lists
 * properties and says nothing of additionalProperties may not carry other members (answers
 * must not hold undocumented fields).
 */
function validate(schema, value, where = '$', opts = {}) {
  const errors = [];
  if (schema === true || schema === undefined) return errors;
  if (schema === false) return [`${where}: no value allowed`];
  if (schema.$ref) {
    const target = resolvePointer(schema.$ref);
    if (target === undefined) return [`${where}: unresolved $ref ${schema.$ref}`];
    errors.push(...validate(target, value, where, opts));
  }
  if (schema.allOf) {
    // members may be spread over the parts: strictness would see each part's members only
    for (const s of schema.allOf) errors.push(...validate(s, value, where, { ...opts, strict: false }));
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, where, opts).length === 0)) {
    errors.push(`${where}: matches none of anyOf`);
  }
  if (schema.oneOf && schema.oneOf.filter((s) => validate(s, value, where, opts).length === 0).length !== 1) {
    errors.push(`${where}: does not match exactly one of oneOf`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) {
      errors.push(`${where}: ${JSON.stringify(value)?.slice(0, 80)} is ${typeOf(value)}, expected ${types.join(' or ')}`);
      return errors; // the rest would only repeat it
    }
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    errors.push(`${where}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  }
  const t = typeOf(value);
  if (t === 'string') {
    const n = [...value].length;
    if (schema.minLength !== undefined && n < schema.minLength) errors.push(`${where}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && n > schema.maxLength) errors.push(`${where}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${where}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
  }
  if (t === 'integer' || t === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: ${value} > ${schema.maximum}`);
  }
  if (t === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${where}[${i}]`, opts)));
  }
  if (t === 'object') {
    for (const k of schema.required || []) {
      if (!(k in value)) errors.push(`${where}: missing required member "${k}"`);
    }
    const props = schema.properties || {};
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...validate(props[k], v, `${where}.${k}`, opts));
      else if (schema.additionalProperties === false) errors.push(`${where}: member "${k}" not allowed`);
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(schema.additionalProperties, v, `${where}.${k}`, opts));
      } else if (opts.strict && schema.properties && schema.additionalProperties === undefined) {
        errors.push(`${where}: member "${k}" is not documented`);
      }
    }
  }
  return errors;
}

/**
 * Checks a live answer against the document: its status is documented for the operation,
 * its media type is one the document gives for that status, and its body validates against
 * the schema given there. Returns the parsed body (or null when there is none).
 */
function conforms(res, method, docPath, what) {
  const op = doc.paths[docPath]?.[method];
  assert.ok(op, `${what}: ${method.toUpperCase()} ${docPath} is not documented`);
  const documented = op.responses[String(res.status)];
  assert.ok(documented, `${what}: status ${res.status} is not documented for ${method.toUpperCase()} ${docPath} (documented: ${Object.keys(op.responses).join(', ')}); body: ${res.text.slice(0, 300)}`);
  const response = deref(documented);
  if (!response.content) {
    assert.equal(res.text, '', `${what}: ${res.status} has no documented body but one came`);
    return null;
  }
  const ctype = (res.contentType || '').split(';')[0].trim();
  const media = response.content[ctype];
  assert.ok(media, `${what}: answered ${ctype} but the document gives ${Object.keys(response.content).join(', ')} for ${res.status}`);
  if (!ctype.endsWith('json')) return res.text;
  const body = res.json();
  const errors = validate(media.schema, body, '$', { strict: true });
  assert.deepEqual(errors, [], `${what}: the answer does not conform to the document:\n${errors.join('\n')}\n${res.text.slice(0, 600)}`);
  for (const [name, h] of Object.entries(response.headers || {})) {
    if (h.required !== false && name.toLowerCase() !== 'etag') {
      assert.ok(res.headers.get(name), `${what}: documented header ${name} missing`);
    }
  }
  return body;
}

// ---- the document itself ------------------------------------------------------------------

describe('the served document', () => {
  test('parses, is OpenAPI 3.1.0 and is the static file as is', async () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info?.title, 'Lanterne API');
    assert.equal(String(doc.info?.version), '1');
    assert.ok(doc.info.description, 'info.description');
    const file = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'static', 'openapi.json'), 'utf8'));
    assert.deepEqual(doc, file);
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    await res.arrayBuffer();
  });

  test('servers and security schemes', () => {
    assert.ok(doc.servers?.some((s) => s.url === '/'), 'a relative "/" server');
    const s = doc.components?.securitySchemes || {};
    assert.equal(s.bearerAuth?.type, 'http');
    assert.equal(s.bearerAuth?.scheme, 'bearer');
    assert.equal(s.cookieAuth?.type, 'apiKey');
    assert.equal(s.cookieAuth?.in, 'cookie');
    assert.equal(s.cookieAuth?.name, 'lanterne_session');
  });

  test('every $ref resolves', () => {
    const bad = [];
    const walk = (node, where) => {
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${where}/${i}`));
      else if (node && typeof node === 'object') {
        if (typeof node.$ref === 'string' && resolvePointer(node.$ref) === undefined) bad.push(`${where}: ${node.$ref}`);
        for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
      }
    };
    walk(doc, '#');
    assert.deepEqual(bad, [], `unresolved $ref:\n${bad.join('\n')}`);
  });

  test('operations are well formed: ids, roles, path parameters, security, errors', () => {
    const problems = [];
    const ids = new Set();
    const schemes = Object.keys(doc.components?.securitySchemes || {});
    for (const { path: p, method, op } of operations()) {
      const at = `${method.toUpperCase()} ${p}`;
      if (!op.operationId) problems.push(`${at}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${at}: operationId ${op.operationId} used twice`);
      ids.add(op.operationId);
      const role = op['x-required-role'];
      if (!ROLES.includes(role)) problems.push(`${at}: x-required-role ${JSON.stringify(role)}`);
      if (!/required role/i.test(op.description || '')) problems.push(`${at}: the description does not state the required role`);

      // security: anonymous operations accept no credentials, the others require some
      const sec = op.security;
      if (!Array.isArray(sec)) problems.push(`${at}: no security array`);
      else {
        for (const req of sec) for (const k of Object.keys(req)) if (!schemes.includes(k)) problems.push(`${at}: unknown security scheme ${k}`);
        const open = sec.length === 0 || sec.some((r) => Object.keys(r).length === 0);
        if (open !== (role === 'anonymous')) problems.push(`${at}: security ${JSON.stringify(sec)} does not match role ${role}`);
      }

      // path parameters: the template's names, each declared once, nothing more
      const inTemplate = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = [...(doc.paths[p].parameters || []), ...(op.parameters || [])]
        .map(deref).filter((x) => x && x.in === 'path').map((x) => x.name).sort();
      if (JSON.stringify(inTemplate) !== JSON.stringify(declared)) {
        problems.push(`${at}: path parameters ${JSON.stringify(declared)}, template has ${JSON.stringify(inTemplate)}`);
      }

      // responses: a success, a Location on 201, problems for the errors under /api/
      const statuses = Object.keys(op.responses || {});
      if (!statuses.some((s) => /^2/.test(s))) problems.push(`${at}: no 2xx response`);
      for (const s of statuses) {
        const r = deref(op.responses[s]);
        if (!r) {
          problems.push(`${at} ${s}: unresolved response`);
          continue;
        }
        if (s === '201' && !r.headers?.Location) problems.push(`${at} 201: no Location header`);
        if (p.startsWith('/api/') && /^4/.test(s) && s !== '413') {
          const m = r.content?.['application/problem+json'];
          if (!m || m.schema?.$ref !== '#/components/schemas/Problem') {
            problems.push(`${at} ${s}: not application/problem+json with the Problem schema`);
          }
        }
      }
      if (role !== 'anonymous' && !op.responses?.['401']) problems.push(`${at}: needs a role but documents no 401`);
      if (ROLES.indexOf(role) > ROLES.indexOf('participant') && !op.responses?.['403']) {
        problems.push(`${at}: needs ${role} but documents no 403`);
      }
      // JSON, except uploads (a file): multipart/form-data like the site's forms, or the raw
      // bytes of a tus upload (application/offset+octet-stream)
      const bodyTypes = Object.keys(op.requestBody?.content || {});
      if (op.requestBody && !bodyTypes.includes('application/json') && !bodyTypes.includes('multipart/form-data') &&
          !bodyTypes.includes('application/offset+octet-stream')) {
        problems.push(`${at}: request body is neither JSON, multipart/form-data nor application/offset+octet-stream`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});

// ---- the document against the route table -------------------------------------------------

describe('the document and the route table agree', () => {
  test('every /api/v1/ route is documented with its method and least role', () => {
    const apiRoutes = routes.filter((r) => r.pattern.startsWith('/api/v1/'));
    assert.ok(apiRoutes.length > 0, 'lanterne routes lists /api/v1/ routes');
    const byNorm = new Map(Object.keys(doc.paths).map((p) => [normalize(p), p]));
    const missing = [];
    const wrongRole = [];
    for (const r of apiRoutes) {
      const docPath = byNorm.get(normalize(r.pattern));
      const op = docPath && doc.paths[docPath][r.method.toLowerCase()];
      if (!op) {
        missing.push(`${r.method} ${r.pattern}`);
        continue;
      }
      if (op['x-required-role'] !== r.min_role) {
        wrongRole.push(`${r.method} ${r.pattern}: route needs ${r.min_role}, document says ${op['x-required-role']}`);
      }
    }
    assert.deepEqual(missing, [], `routes missing from the document:\n${missing.join('\n')}`);
    assert.deepEqual(wrongRole, [], wrongRole.join('\n'));
  });

  test('every documented operation exists in the route table (no phantom endpoint)', () => {
    const phantoms = [];
    const wrongRole = [];
    for (const { path: p, method, op } of operations()) {
      const r = routes.find((x) => x.method === method.toUpperCase() && normalize(x.pattern) === normalize(p));
      if (!r) phantoms.push(`${method.toUpperCase()} ${p}`);
      else if (op['x-required-role'] !== r.min_role) {
        wrongRole.push(`${method.toUpperCase()} ${p}: route needs ${r.min_role}, document says ${op['x-required-role']}`);
      }
    }
    assert.deepEqual(phantoms, [], `documented but not routed:\n${phantoms.join('\n')}`);
    assert.deepEqual(wrongRole, [], wrongRole.join('\n'));
  });

  test('the structure type enum is the one the server accepts', async () => {
    // each documented code filters without error; a code outside the list is refused
    const types = doc.components.schemas.Structure.properties.type.enum;
    for (const t of types) {
      const res = await fetch(`${server.url}/api/v1/structures?per_page=1&type=${t}`);
      assert.equal(res.status, 200, `type=${t}: ${await res.text()}`);
      await res.arrayBuffer().catch(() => {});
    }
    const res = await fetch(`${server.url}/api/v1/structures?type=not_a_type`);
    assert.equal(res.status, 400);
    await res.arrayBuffer();
  });
});

// ---- live answers against their schemas ---------------------------------------------------

describe('live answers conform to the document', () => {
  let anon;
  before(() => {
    anon = new Client(server.url);
  });

  test('GET /api/v1/communes?q=lille', async () => {
    const res = await anon.get('/api/v1/communes?q=lille');
    assert.equal(res.status, 200);
    const body = conforms(res, 'get', '/api/v1/communes', 'communes?q=lille');
    assert.ok(body.items.length > 0 && body.items.length <= 10, 'default limit 10');
    assert.equal(body.items[0].code, '59350');
    assert.equal(body.items[0].name, 'Lille');
  });

  test('GET /api/v1/communes: limit bounds and a missing q', async () => {
    let res = await anon.get('/api/v1/communes?q=saint&limit=50');
    assert.equal(conforms(res, 'get', '/api/v1/communes', 'limit=50').items.length, 50);
    res = await anon.get('/api/v1/communes?q=saint&limit=51');
    assert.equal(res.status, 400);
    conforms(res, 'get', '/api/v1/communes', 'limit=51');
    res = await anon.get('/api/v1/communes');
    assert.equal(res.status, 400);
    conforms(res, 'get', '/api/v1/communes', 'no q');
    res = await anon.get('/api/v1/communes?q=l');
    assert.equal(res.status, 422);
    assert.ok(conforms(res, 'get', '/api/v1/communes', 'q=l').errors?.q, 'errors.q');
  });

  test('GET /api/v1/communes/{code} and /api/v1/departements', async () => {
    conforms(await anon.get('/api/v1/communes/59350'), 'get', '/api/v1/communes/{code}', 'commune 59350');
    const res = await anon.get('/api/v1/departements');
    assert.equal(res.status, 200);
    const body = conforms(res, 'get', '/api/v1/departements', 'departements');
    assert.ok(body.items.some((d) => d.code === '2A'));
  });

  test('GET /api/v1/coordinations and one coordination', async () => {
    const res = await anon.get('/api/v1/coordinations');
    assert.equal(res.status, 200);
    const body = conforms(res, 'get', '/api/v1/coordinations', 'coordinations');
    assert.ok(body.items.length > 0);
    const one = await anon.get(`/api/v1/coordinations/${encodeURIComponent(body.items[0].slug)}`);
    assert.equal(one.status, 200);
    conforms(one, 'get', '/api/v1/coordinations/{slug}', 'one coordination');
  });

  test('GET /api/v1/structures, filtered, and one structure', async () => {
    let res = await anon.get('/api/v1/structures');
    assert.equal(res.status, 200);
    const body = conforms(res, 'get', '/api/v1/structures', 'structures');
    assert.equal(body.page, 1);
    assert.equal(body.per_page, 20);
    assert.ok(body.items.length > 0, 'the demo has structures');
    assert.ok(body.items.some((s) => s.coordination !== null), 'some structure has a coordination');
    res = await anon.get('/api/v1/structures?coordination=hors-cadre&per_page=100&commune=59350');
    conforms(res, 'get', '/api/v1/structures', 'filtered structures');
    res = await anon.get(`/api/v1/structures/${body.items[0].id}`);
    assert.equal(res.status, 200);
    conforms(res, 'get', '/api/v1/structures/{id}', 'one structure');
    res = await anon.get('/api/v1/structures?per_page=101');
    assert.equal(res.status, 400);
    conforms(res, 'get', '/api/v1/structures', 'per_page=101');
  });

  test('a 404 is a problem document', async () => {
    for (const [url, docPath] of [
      ['/api/v1/structures/999999999', '/api/v1/structures/{id}'],
      ['/api/v1/structures/abc', '/api/v1/structures/{id}'],
      ['/api/v1/coordinations/pas-de-coordination', '/api/v1/coordinations/{slug}'],
      ['/api/v1/communes/00000', '/api/v1/communes/{code}'],
    ]) {
      const res = await anon.get(url);
      assert.equal(res.status, 404, url);
      const p = conforms(res, 'get', docPath, url);
      assert.equal(p.status, 404);
      assert.equal(p.instance, url);
    }
  });

  test('anonymous on a role-only operation: 401 problem; a bad token too', async () => {
    let res = await anon.get('/api/v1/me');
    assert.equal(res.status, 401);
    conforms(res, 'get', '/api/v1/me', 'anonymous /me');
    res = await anon.get('/api/v1/structures', { auth: 'lnt_not-a-real-token' });
    assert.equal(res.status, 401);
    conforms(res, 'get', '/api/v1/structures', 'bad token');
  });

  test('admin reads: /me, /users, /users/{id}', async () => {
    const admin = await clientAs(server, 'admin');
    let res = await admin.get('/api/v1/me');
    assert.equal(res.status, 200);
    const me = conforms(res, 'get', '/api/v1/me', 'admin /me');
    assert.equal(me.role, 'admin');
    res = await admin.get('/api/v1/users?per_page=3');
    assert.equal(res.status, 200);
    const page = conforms(res, 'get', '/api/v1/users', 'users');
    assert.equal(page.per_page, 3);
    res = await admin.get(`/api/v1/users/${me.id}`);
    conforms(res, 'get', '/api/v1/users/{id}', 'one user');
    res = await admin.get('/api/v1/users?per_page=0');
    assert.equal(res.status, 422);
    conforms(res, 'get', '/api/v1/users', 'users per_page=0');
  });

  test('a personal API token (bearerAuth) acts with its owner\'s role', async () => {
    const participant = await clientAs(server, 'participant');
    const page = await participant.post('/compte/jetons', { name: 'openapi test' }, { csrfFrom: '/compte' });
    assert.equal(page.status, 201, page.text.slice(0, 500));
    const token = page.text.match(/lnt_[A-Za-z0-9_-]{43}/)?.[0];
    assert.ok(token, 'the new token is shown on the account page');
    const bearer = new Client(server.url);
    let res = await bearer.get('/api/v1/me', { auth: token });
    assert.equal(res.status, 200);
    assert.equal(conforms(res, 'get', '/api/v1/me', 'token /me').role, 'participant');
    res = await bearer.get('/api/v1/users', { auth: token });
    assert.equal(res.status, 403);
    conforms(res, 'get', '/api/v1/users', 'participant token on /users');
  });

  test('structure writes: 201 with Location, 422, 200, 204', async () => {
    const admin = await clientAs(server, 'admin');
    let res = await admin.postJson('/api/v1/structures', {
      name: 'Structure du test OpenAPI',
      type: 'cinema',
      commune_code: '59350',
      website: 'https://exemple.fr',
    });
    assert.equal(res.status, 201, res.text);
    const s = conforms(res, 'post', '/api/v1/structures', 'create structure');
    assert.equal(res.location, `/api/v1/structures/${s.id}`);
    assert.equal(s.coordination?.slug, 'hors-cadre');

    res = await admin.put(`/api/v1/structures/${s.id}`, { type: 'not_a_type' });
    assert.equal(res.status, 422);
    assert.ok(conforms(res, 'put', '/api/v1/structures/{id}', 'bad type').errors?.type, 'errors.type');

    res = await admin.put(`/api/v1/structures/${s.id}`, { description: 'Modifiée.', email: null });
    assert.equal(res.status, 200);
    assert.equal(conforms(res, 'put', '/api/v1/structures/{id}', 'update structure').description, 'Modifiée.');

    res = await admin.request('POST', '/api/v1/structures', { json: {}, csrf: false });
    assert.equal(res.status, 403, 'a cookie write without X-CSRF-Token');
    conforms(res, 'post', '/api/v1/structures', 'no CSRF');

    res = await admin.delete(`/api/v1/structures/${s.id}`);
    assert.equal(res.status, 204);
    conforms(res, 'delete', '/api/v1/structures/{id}', 'delete structure');
  });

  test('coordination write: a slug already taken is a 409 problem naming it', async () => {
    const admin = await clientAs(server, 'admin');
    const res = await admin.postJson('/api/v1/coordinations', { name: 'Doublon', slug: 'hors-cadre' });
    assert.equal(res.status, 409);
    assert.ok(conforms(res, 'post', '/api/v1/coordinations', 'slug taken').errors?.slug, 'errors.slug');
  });

  test('GET /healthz', async () => {
    const res = await anon.get('/healthz');
    assert.equal(res.status, 200);
    conforms(res, 'get', '/healthz', 'healthz');
  });
});
