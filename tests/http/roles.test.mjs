// The role matrix: every route of `lanterne routes`, tried as each role (anonymous and the
// four demo accounts), against the expectations of role-matrix.json. A route without an
// entry fails, and so does an entry whose route is gone: adding a route means saying who
// may use it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { ROLES, clientAs, runCli, startServer } from './lib/server.mjs';

const matrix = JSON.parse(fs.readFileSync(new URL('./role-matrix.json', import.meta.url), 'utf8'));

const routesRun = await runCli(['routes']);
if (routesRun.code !== 0) throw new Error(`lanterne routes exited ${routesRun.code}: ${routesRun.stderr}`);
const routes = JSON.parse(routesRun.stdout);
const routeKey = (r) => `${r.method} ${r.pattern}`;
const routeByKey = new Map(routes.map((r) => [routeKey(r), r]));

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const COBAYE = { login: 'cobaye', password: 'cobaye-mot-de-passe' };

let server;
const clients = {};
const values = {}; // placeholder → value

before(async () => {
  server = await startServer({
    async setup(dataDir) {
      const add = await runCli(
        ['user', 'add', '--login', COBAYE.login, '--name', 'Cobaye (tests)', '--role', 'participant', '--password', COBAYE.password],
        { dataDir },
      );
      if (add.code !== 0) throw new Error(`user add cobaye: ${add.stderr}`);
      const id = add.stdout.match(/\(id (\d+),/)?.[1];
      if (!id) throw new Error(`user add cobaye printed no id: ${add.stdout}`);
      values['{user}'] = id;
    },
  });
  for (const role of ROLES) clients[role] = await clientAs(server, role);
  const list = await clients.admin.get('/api/v1/structures?coordination=hors-cadre&per_page=1');
  assert.equal(list.status, 200, `GET /api/v1/structures?coordination=hors-cadre: ${list.text.slice(0, 300)}`);
  const first = list.json().items?.[0];
  assert.ok(first?.id, 'the demo has a structure in hors-cadre');
  values['{structure}'] = String(first.id);
});

after(async () => {
  if (server) await server.stop();
});

/** A structure in Lille (hors-cadre) made by the admin for one destructive request. */
async function throwawayStructure() {
  const res = await clients.admin.postJson('/api/v1/structures', {
    name: `Structure jetable ${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'association',
    commune_code: '59350',
  });
  if (res.status === 201 && res.json().id) return String(res.json().id);
  throw new Error(`cannot create a throwaway structure: POST /api/v1/structures → ${res.status} ${res.text.slice(0, 300)}`);
}

async function resolvePath(template) {
  let p = template;
  if (p.includes('{throwaway_structure}')) p = p.replace('{throwaway_structure}', await throwawayStructure());
  for (const [k, v] of Object.entries(values)) p = p.replaceAll(k, v);
  const left = p.match(/\{[a-z_]+\}/);
  if (left) throw new Error(`unknown placeholder ${left[0]} in ${template}`);
  return p;
}

/** Sends the request of one matrix entry as role; resolves {res, path}. */
async function attempt(role, route, entry) {
  let client = clients[role];
  if (entry.fresh_session && role !== 'anonymous') client = await clientAs(server, role);
  const path = await resolvePath(entry.path);
  const opts = {};
  if (WRITES.has(route.method) && route.method !== 'DELETE') {
    if (route.api) opts.json = entry.body ?? {};
    else opts.form = entry.body ?? {};
  }
  const res = await client.request(route.method, path, opts);
  return { res, path };
}

/** Why the answer does not fit the expectation, or null when it does. */
function mismatch(role, route, expected, res) {
  const toLogin = res.status === 303 && /^\/connexion(\?|$)/.test(res.location || '');
  const csrfRefusal = res.status === 403 && /CSRF/.test(res.text);
  if (csrfRefusal) return `refused for CSRF (test setup problem): ${res.status}`;
  if (expected === 'allow') {
    if (res.status === 401 || res.status === 403) return `expected allow, got ${res.status}`;
    if (toLogin) return `expected allow, got a redirect to ${res.location}`;
    if (res.status >= 500) return `server error ${res.status}: ${res.text.slice(0, 200)}`;
    return null;
  }
  if (expected !== 'deny') return `bad expectation "${expected}" in role-matrix.json`;
  if (role === 'anonymous') {
    if (res.status === 401) return null;
    if (toLogin && route.method === 'GET' && !route.api) return null;
    return `expected deny (401${route.method === 'GET' && !route.api ? ' or 303 to /connexion' : ''}), got ${res.status}${res.location ? ` → ${res.location}` : ''}`;
  }
  if (res.status === 403) return null;
  return `expected deny (403), got ${res.status}${res.location ? ` → ${res.location}` : ''}`;
}

describe('route table and matrix', () => {
  test('`lanterne routes` prints the route table as JSON', () => {
    assert.ok(Array.isArray(routes) && routes.length > 10);
    for (const r of routes) {
      assert.match(r.method, /^(GET|POST|PUT|PATCH|DELETE|OPTIONS)$/, JSON.stringify(r));
      assert.match(r.pattern, /^\//, JSON.stringify(r));
      assert.ok(ROLES.includes(r.min_role), `min_role of ${routeKey(r)}: ${r.min_role}`);
      assert.equal(typeof r.api, 'boolean');
      assert.equal(r.api, r.pattern.startsWith('/api/'), `${routeKey(r)}: api flag`);
    }
    const keys = routes.map(routeKey);
    assert.equal(new Set(keys).size, keys.length, 'a route appears twice');
  });

  test('every route has an entry in role-matrix.json', () => {
    const missing = routes.map(routeKey).filter((k) => !(k in matrix.routes));
    assert.deepEqual(missing, [], `routes without an entry in tests/http/role-matrix.json: ${missing.join(', ')}`);
  });

  test('every entry of role-matrix.json is a route', () => {
    const stale = Object.keys(matrix.routes).filter((k) => !routeByKey.has(k));
    assert.deepEqual(stale, [], `entries of tests/http/role-matrix.json for routes that no longer exist: ${stale.join(', ')}`);
  });

  test('every entry is complete: a path and allow/deny for each role', () => {
    for (const [k, e] of Object.entries(matrix.routes)) {
      assert.equal(typeof e.path, 'string', `${k}: path`);
      assert.match(e.path, /^\//, `${k}: path`);
      for (const role of ROLES) assert.ok(['allow', 'deny'].includes(e.expect?.[role]), `${k}: expect.${role}`);
    }
  });
});

describe('role matrix', () => {
  for (const [key, entry] of Object.entries(matrix.routes)) {
    const route = routeByKey.get(key);
    if (!route) continue; // reported by "every entry of role-matrix.json is a route"
    test(key, async (t) => {
      const problems = [];
      const seen = [];
      for (const role of ROLES) {
        const expected = entry.expect[role];
        const { res, path } = await attempt(role, route, entry);
        seen.push(`${role} ${res.status}`);
        const why = mismatch(role, route, expected, res);
        if (why) problems.push(`${role}: ${route.method} ${path} → ${why}`);
        // a refused deletion must have left the structure in place
        if (!why && expected === 'deny' && entry.path.includes('{throwaway_structure}')) {
          const id = path.match(/\/structures\/(\d+)/)[1];
          const still = await clients.admin.get(`/api/v1/structures/${id}`);
          if (still.status !== 200) problems.push(`${role}: ${route.method} ${path} was refused but the structure is gone (${still.status})`);
        }
      }
      t.diagnostic(seen.join(', '));
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});

describe('territory checks beyond the role', () => {
  let outside;
  before(async () => {
    const res = await clients.admin.get('/api/v1/structures?coordination=corse&per_page=1');
    assert.equal(res.status, 200);
    outside = res.json().items?.[0]?.id;
    assert.ok(outside, 'the demo has a structure in Corsica');
  });

  test("a coordinator cannot edit or delete a structure outside the coordination's territory", async () => {
    const c = clients.coordinator;
    const tries = [
      ['GET', `/structures/${outside}/modifier`, {}],
      ['GET', `/structures/${outside}/supprimer`, {}],
      ['POST', `/structures/${outside}`, { form: { name: 'Renommée par un tiers' } }],
      ['POST', `/structures/${outside}/supprimer`, { form: {} }],
      ['PUT', `/api/v1/structures/${outside}`, { json: { name: 'Renommée par un tiers' } }],
      ['DELETE', `/api/v1/structures/${outside}`, {}],
    ];
    const problems = [];
    for (const [method, p, opts] of tries) {
      const res = await c.request(method, p, opts);
      if (res.status !== 403) problems.push(`${method} ${p} → ${res.status} (expected 403)`);
    }
    const still = await clients.admin.get(`/api/v1/structures/${outside}`);
    assert.equal(still.status, 200, 'the structure is still there');
    assert.notEqual(still.json().name, 'Renommée par un tiers', 'and was not renamed');
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  test("a coordinator cannot create a structure outside the coordination's territory", async () => {
    const res = await clients.coordinator.postJson('/api/v1/structures', {
      name: 'Structure hors territoire',
      type: 'association',
      commune_code: '2A004',
    });
    assert.equal(res.status, 403, res.text.slice(0, 300));
  });

  test('an admin may edit a structure anywhere', async () => {
    const res = await clients.admin.get(`/structures/${outside}/modifier`);
    assert.equal(res.status, 200);
  });
});
