// Signing in and out: CSRF on the login form, the session cookie's attributes, throttling,
// local-only redirects, API tokens, and the account commands of the CLI.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client, DEMO, extractCsrf, login, runCli, startServer, tryLogin } from './lib/server.mjs';

const WRONG = 'Identifiant ou mot de passe incorrect.';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  if (server) await server.stop();
});

function sessionCookie(res) {
  return res.setCookies.find((s) => s.startsWith('lanterne_session='));
}

/** GET /api/v1/me with just this session cookie value. */
async function meWithSession(token) {
  const res = await fetch(`${server.url}/api/v1/me`, { headers: { Cookie: `lanterne_session=${token}` } });
  const text = await res.text();
  return { status: res.status, text };
}

describe('login form and CSRF', () => {
  test('the login page has a _csrf field and sets the anonymous nonce cookie', async () => {
    const c = new Client(server.url);
    const res = await c.get('/connexion');
    assert.equal(res.status, 200);
    const token = extractCsrf(res.text);
    assert.ok(token && token.length >= 32, `_csrf value: ${token}`);
    const nonce = res.setCookies.find((s) => s.startsWith('lanterne_csrf='));
    assert.ok(nonce, `Set-Cookie: ${res.setCookies}`);
    assert.match(nonce, /HttpOnly/);
    assert.match(nonce, /SameSite=Lax/);
    assert.match(res.text, /name="login"/);
    assert.match(res.text, /name="password"/);
    assert.match(res.text, /type="password"/);
  });

  test('the token is stable for one nonce and differs between visitors', async () => {
    const a = new Client(server.url);
    const b = new Client(server.url);
    const t1 = extractCsrf((await a.get('/connexion')).text);
    const t2 = extractCsrf((await a.get('/connexion')).text);
    const t3 = extractCsrf((await b.get('/connexion')).text);
    assert.equal(t1, t2);
    assert.notEqual(t1, t3);
  });

  test('POST /connexion without _csrf → 403', async () => {
    const c = new Client(server.url);
    await c.get('/connexion');
    const res = await c.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password }, { csrf: false });
    assert.equal(res.status, 403);
    assert.ok(!sessionCookie(res), 'no session for a request without CSRF token');
  });

  test('POST /connexion with a wrong token → 403', async () => {
    const c = new Client(server.url);
    const token = extractCsrf((await c.get('/connexion')).text);
    const wrong = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const res = await c.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password }, { csrf: wrong });
    assert.equal(res.status, 403);
    assert.ok(!sessionCookie(res));
  });

  test("POST /connexion with another visitor's token (not matching my nonce) → 403", async () => {
    const victim = new Client(server.url);
    const attacker = new Client(server.url);
    const attackerToken = extractCsrf((await attacker.get('/connexion')).text);
    await victim.get('/connexion');
    const res = await victim.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password }, { csrf: attackerToken });
    assert.equal(res.status, 403);
  });

  test('POST /connexion with a token but without the nonce cookie → 403', async () => {
    const c = new Client(server.url);
    const token = extractCsrf((await c.get('/connexion')).text);
    const res = await c.post('/connexion', { login: DEMO.participant.login, password: DEMO.participant.password }, { csrf: token, cookies: false });
    assert.equal(res.status, 403);
  });

  test('the CSRF token is also accepted in the X-CSRF-Token header', async () => {
    const c = new Client(server.url);
    const token = await c.csrf('/connexion');
    const res = await c.request('POST', '/connexion', {
      body: new URLSearchParams({ login: DEMO.participant.login, password: DEMO.participant.password }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': token },
      csrf: false,
    });
    assert.equal(res.status, 303);
  });
});

describe('login and logout', () => {
  test('a wrong password → 401, the French message, the login kept in its field', async () => {
    const c = new Client(server.url);
    const res = await tryLogin(c, DEMO.participant.login, 'pas-le-bon-mot-de-passe');
    assert.equal(res.status, 401);
    assert.match(res.contentType, /^text\/html/);
    assert.ok(res.text.includes(WRONG), 'French error message');
    assert.match(res.text, /<input id="login" name="login"[^>]*value="jeune"/);
    assert.ok(!/name="password"[^>]*value="[^"]/.test(res.text), 'the password is not sent back');
    assert.ok(!sessionCookie(res));
  });

  test('an unknown login gets the same answer as a wrong password', async () => {
    const c = new Client(server.url);
    const res = await tryLogin(c, 'personne-de-connu', 'pas-le-bon-mot-de-passe');
    assert.equal(res.status, 401);
    assert.ok(res.text.includes(WRONG));
  });

  test('empty fields → 422 with a message', async () => {
    const c = new Client(server.url);
    const res = await tryLogin(c, '', '');
    assert.equal(res.status, 422);
    assert.match(res.text, /role="alert"/);
  });

  test('a good login → 303 + lanterne_session cookie, HttpOnly, SameSite=Lax, no Secure over http', async () => {
    const c = new Client(server.url);
    const res = await tryLogin(c, DEMO.participant.login, DEMO.participant.password);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    const sc = sessionCookie(res);
    assert.ok(sc, `Set-Cookie: ${res.setCookies}`);
    assert.match(sc, /^lanterne_session=[A-Za-z0-9_-]{32,};/);
    assert.match(sc, /;\s*HttpOnly/i);
    assert.match(sc, /;\s*SameSite=Lax/i);
    assert.match(sc, /;\s*Path=\//i);
    assert.ok(!/;\s*Secure/i.test(sc), `Secure over plain http: ${sc}`);
  });

  test('the session works across requests', async () => {
    const c = new Client(server.url);
    await login(c, DEMO.participant.login, DEMO.participant.password);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json().login, DEMO.participant.login);
    const home = await c.get('/');
    assert.match(home.text, /Lou \(démo\)/, 'the layout names the person');
    const account = await c.get('/compte');
    assert.equal(account.status, 200);
    // logged in, the login page sends the person on
    const again = await c.get('/connexion?next=%2Fstructures');
    assert.equal(again.status, 303);
    assert.equal(again.location, '/structures');
  });

  test('a new login gets a new session token (no fixation)', async () => {
    const c = new Client(server.url);
    await login(c, DEMO.participant.login, DEMO.participant.password);
    const first = c.cookies.get('lanterne_session');
    await login(c, DEMO.participant.login, DEMO.participant.password);
    const second = c.cookies.get('lanterne_session');
    assert.notEqual(first, second);
    assert.equal((await meWithSession(first)).status, 401, 'the session replaced by the new login is over');
    assert.equal((await meWithSession(second)).status, 200);
  });

  test('logout: POST /deconnexion clears the cookie and ends the session on the server', async () => {
    const c = new Client(server.url);
    await login(c, DEMO.participant.login, DEMO.participant.password);
    const token = c.cookies.get('lanterne_session');
    assert.equal((await meWithSession(token)).status, 200);
    const res = await c.post('/deconnexion', {}, { csrfFrom: '/' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    const sc = sessionCookie(res);
    assert.ok(sc, 'the cookie is cleared');
    assert.match(sc, /^lanterne_session=;/);
    assert.match(sc, /Max-Age=0/i);
    assert.equal(c.cookies.get('lanterne_session'), undefined);
    // the old token is dead even if someone kept it
    assert.equal((await meWithSession(token)).status, 401);
    const page = await fetch(`${server.url}/compte`, { headers: { Cookie: `lanterne_session=${token}` }, redirect: 'manual' });
    await page.arrayBuffer();
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location'), /^\/connexion\?next=/);
  });

  test('logout without CSRF token → 403 and the session stays', async () => {
    const c = new Client(server.url);
    await login(c, DEMO.participant.login, DEMO.participant.password);
    const res = await c.post('/deconnexion', {}, { csrf: false });
    assert.equal(res.status, 403);
    assert.equal((await c.get('/api/v1/me')).status, 200);
  });

  test('a forged session cookie is just anonymous', async () => {
    assert.equal((await meWithSession('A'.repeat(43))).status, 401);
    const page = await fetch(`${server.url}/`, { headers: { Cookie: 'lanterne_session=forged' } });
    assert.equal(page.status, 200);
    await page.arrayBuffer();
  });
});

describe('redirects after login', () => {
  for (const [next, where] of [
    ['/structures', '/structures'],
    ['/structures?q=lyon', '/structures?q=lyon'],
    ['//evil.example', '/'],
    ['//evil.example/path', '/'],
    ['https://evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['', '/'],
  ]) {
    test(`next=${JSON.stringify(next)} → ${where}`, async () => {
      const c = new Client(server.url);
      const res = await login(c, DEMO.coordinator.login, DEMO.coordinator.password, { next });
      assert.equal(res.location, where);
    });
  }

  test('an anonymous visit of a protected page sends to /connexion?next=<that page>', async () => {
    const c = new Client(server.url);
    const res = await c.get('/compte');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/connexion?next=%2Fcompte');
    const form = await c.get(res.location);
    assert.match(form.text, /name="next" value="\/compte"/);
  });
});

describe('throttling', () => {
  test('five wrong passwords for one login: the sixth attempt is 429, even with the right password', async () => {
    const c = new Client(server.url);
    const { login: who, password } = DEMO.supervisor;
    for (let i = 1; i <= 5; i++) {
      const res = await tryLogin(c, who, `mauvais-${i}-mot-de-passe`);
      assert.equal(res.status, 401, `attempt ${i}`);
    }
    const sixth = await tryLogin(c, who, 'mauvais-6-mot-de-passe');
    assert.equal(sixth.status, 429, 'sixth wrong attempt');
    assert.match(sixth.text, /Trop de tentatives/);
    const right = await tryLogin(c, who, password);
    assert.equal(right.status, 429, 'the right password is refused while throttled');
    assert.ok(!sessionCookie(right));
    // other accounts are not affected
    await login(new Client(server.url), DEMO.admin.login, DEMO.admin.password);
  });
});

describe('secure cookies', () => {
  test('with LANTERNE_BASE_URL=https://…, the session and nonce cookies are Secure', async () => {
    const s = await startServer({ env: { LANTERNE_BASE_URL: 'https://example.test' } });
    try {
      const c = new Client(s.url);
      const page = await c.get('/connexion');
      const nonce = page.setCookies.find((x) => x.startsWith('lanterne_csrf='));
      assert.match(nonce, /;\s*Secure/i, `nonce cookie: ${nonce}`);
      const res = await tryLogin(c, DEMO.participant.login, DEMO.participant.password);
      assert.equal(res.status, 303);
      const sc = sessionCookie(res);
      assert.match(sc, /;\s*Secure/i, `session cookie: ${sc}`);
      assert.match(sc, /;\s*HttpOnly/i);
      assert.match(sc, /;\s*SameSite=Lax/i);
      // logging out clears it with the same attributes
      const out = await c.post('/deconnexion', {}, { csrfFrom: '/' });
      assert.match(sessionCookie(out), /;\s*Secure/i);
    } finally {
      await s.stop();
    }
  });
});

describe('API tokens', () => {
  let token;
  let notImplemented = null;

  before(async () => {
    const c = new Client(server.url);
    await login(c, DEMO.admin.login, DEMO.admin.password);
    await c.get('/compte');
    const res = await c.post('/compte/jetons', { name: 'tests http' });
    if (res.status === 404 || res.status === 405 || res.status === 501) {
      notImplemented = `POST /compte/jetons answered ${res.status}`;
      return;
    }
    let text = res.text;
    if (res.status === 303 && res.location) text = (await c.get(res.location)).text;
    token = text.match(/lnt_[A-Za-z0-9_-]{43}/)?.[0];
    if (!token) throw new Error(`POST /compte/jetons answered ${res.status} without a token:\n${text.slice(0, 1500)}`);
    assert.equal(res.status, 201);
    assert.match(res.headers.get('cache-control') || '', /no-store/, 'the page showing a token must not be cached');
  });

  test('Authorization: Bearer <token> works on /api/v1/me, without cookies', async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const res = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).login, DEMO.admin.login);
  });

  test('a bearer request needs no CSRF token for a write', async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    // an empty structure: validation refuses it (422), which proves the write got past CSRF
    const res = await fetch(`${server.url}/api/v1/structures`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    const text = await res.text();
    assert.notEqual(res.status, 403, `refused: ${text}`);
    assert.equal(res.status, 422, text);
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
  });

  test('the same write with the session cookie but no CSRF token → 403', async () => {
    const c = new Client(server.url);
    await login(c, DEMO.admin.login, DEMO.admin.password);
    const res = await c.request('POST', '/api/v1/structures', { body: '{}', headers: { 'Content-Type': 'application/json' }, csrf: false });
    assert.equal(res.status, 403);
  });

  test('an unknown or malformed bearer token → 401 problem', async () => {
    for (const bad of ['lnt_' + 'A'.repeat(43), 'nimportequoi', '']) {
      const res = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${bad}` } });
      const text = await res.text();
      assert.equal(res.status, 401, `Bearer ${JSON.stringify(bad)}: ${text}`);
      assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
    }
  });

  test('the token is listed on /compte, without its plaintext', async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const c = new Client(server.url);
    await login(c, DEMO.admin.login, DEMO.admin.password);
    const page = await c.get('/compte');
    assert.equal(page.status, 200);
    assert.match(page.text, /tests http/);
    assert.ok(!page.text.includes(token), 'plaintext shown again');
  });
});

describe('command line', () => {
  test('every subcommand answers --help with exit 0', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0, top.stderr);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    for (const expected of ['serve', 'init', 'demo', 'user', 'routes', 'version']) {
      assert.ok(commands.includes(expected), `${expected} listed by --help (${commands})`);
    }
    for (const cmd of commands) {
      const res = await runCli([cmd, '--help']);
      assert.equal(res.code, 0, `lanterne ${cmd} --help exited ${res.code}: ${res.stderr}`);
      assert.match(res.stdout, new RegExp(`usage: lanterne ${cmd}`), `lanterne ${cmd} --help`);
    }
    for (const sub of ['add', 'list', 'passwd', 'disable']) {
      const res = await runCli(['user', sub, '--help']);
      assert.equal(res.code, 0, `lanterne user ${sub} --help`);
    }
  });

  test('no command or an unknown one → exit 2 with the usage', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage: lanterne/);
    const unknown = await runCli(['nimportequoi']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command/);
  });

  test('`lanterne user passwd` changes a password: the old one is refused, the new one accepted', async () => {
    const { login: who, password: old } = DEMO.participant;
    const fresh = 'un-nouveau-mot-de-passe-42';
    const res = await runCli(['user', 'passwd', who, '--password', fresh], { dataDir: server.dataDir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /password changed/);
    const refused = await tryLogin(new Client(server.url), who, old);
    assert.equal(refused.status, 401);
    await login(new Client(server.url), who, fresh);
    // and back, through standard input this time
    const back = await runCli(['user', 'passwd', who], { dataDir: server.dataDir, input: `${old}\n` });
    assert.equal(back.code, 0, back.stderr);
    await login(new Client(server.url), who, old);
  });

  test('`lanterne user passwd` refuses a too-short password and an unknown login', async () => {
    const short = await runCli(['user', 'passwd', DEMO.participant.login, '--password', 'court'], { dataDir: server.dataDir });
    assert.notEqual(short.code, 0);
    const unknown = await runCli(['user', 'passwd', 'personne-de-connu', '--password', 'assez-long-mot-de-passe'], { dataDir: server.dataDir });
    assert.notEqual(unknown.code, 0);
  });

  test('`lanterne user add`, then `user disable` blocks login and ends the sessions', async () => {
    const who = `testeur-${process.pid}`;
    const pw = 'mot-de-passe-du-testeur';
    const add = await runCli(['user', 'add', '--login', who, '--name', 'Testeur HTTP', '--role', 'participant', '--password', pw], { dataDir: server.dataDir });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`created account ${who}`));
    const c = new Client(server.url);
    await login(c, who, pw);
    const session = c.cookies.get('lanterne_session');
    assert.equal((await meWithSession(session)).status, 200);

    const dis = await runCli(['user', 'disable', who], { dataDir: server.dataDir });
    assert.equal(dis.code, 0, dis.stderr);
    const refused = await tryLogin(new Client(server.url), who, pw);
    assert.equal(refused.status, 401, 'a disabled account cannot log in');
    assert.ok(refused.text.includes(WRONG), 'same message as a wrong password');
    assert.equal((await meWithSession(session)).status, 401, 'its open session is over');

    const list = await runCli(['user', 'list'], { dataDir: server.dataDir });
    assert.equal(list.code, 0, list.stderr);
    const line = list.stdout.split('\n').find((l) => l.includes(who));
    assert.ok(line, `${who} listed`);
    assert.match(line, /disabled/);
    assert.match(list.stdout, /\badmin\b.*\badmin\b.*active/);
  });

  test('`lanterne user add` refuses a bad role and a login already taken', async () => {
    const bad = await runCli(['user', 'add', '--login', 'qui-donc', '--role', 'roi', '--password', 'assez-long-mot-de-passe'], { dataDir: server.dataDir });
    assert.equal(bad.code, 2);
    const taken = await runCli(['user', 'add', '--login', 'admin', '--role', 'admin', '--password', 'assez-long-mot-de-passe'], { dataDir: server.dataDir });
    assert.notEqual(taken.code, 0);
  });
});
