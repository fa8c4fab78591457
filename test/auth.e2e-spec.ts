import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { AuthProbeModule } from './support/auth-probe.module';
import {
  createRsaSigningKey,
  type JwksServer,
  signCognitoToken,
  startJwksServer,
  TEST_COGNITO_CLIENT_ID,
  TEST_COGNITO_ISSUER,
} from './support/jwks-server';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';

// Each describe block opens its app in beforeAll and closes it in afterAll, so only one
// app lives at a time: @nestjs/passport registers JwtStrategy as 'jwt' on the global
// passport instance, and with two apps open the one created last verifies both apps' tokens.

const ME = '/v1/test-auth/me';
const ADMIN = '/v1/test-auth/admin';
const OPEN = '/v1/test-auth/open';

/** Asserts the error envelope `{ error, message, requestId }` (no details) with the status DESIGN.md gives the code. */
function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error: code, message: expect.any(String), requestId: res.headers['x-request-id'] },
  });
  expect(res.headers['x-request-id']).toEqual(expect.stringMatching(/.+/));
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned token (`alg: none`), built by hand since jsonwebtoken refuses to make one. */
function unsignedToken(claims: object, signature = ''): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.${signature}`;
}

interface Hs256Options {
  secret?: string;
  expiresIn?: number;
  algorithm?: jwt.Algorithm;
}

/** A token shaped like the app's own dev tokens, signed with the test secret unless told otherwise. */
function devToken(claims: Record<string, unknown>, options: Hs256Options = {}): string {
  return jwt.sign({ token_use: 'access', ...claims }, options.secret ?? TEST_JWT_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
    expiresIn: options.expiresIn ?? 3600,
  });
}

const now = () => Math.floor(Date.now() / 1000);

describe('auth in dev mode (HS256 with JWT_SECRET)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [AuthProbeModule] });
  });
  afterAll(async () => t?.close());

  it('answers a guarded route without a token with 401 UNAUTHORIZED in the error envelope', async () => {
    expectError(await t.http.get(ME), 401, 'UNAUTHORIZED');
  });

  it('answers an admin route without a token with 401, not 403', async () => {
    expectError(await t.http.get(ADMIN), 401, 'UNAUTHORIZED');
  });

  it('echoes X-Request-Id as the requestId of a 401', async () => {
    const res = await t.http.get(ME).set('X-Request-Id', 'auth-test-request-1');
    expect(res.body).toMatchObject({ error: 'UNAUTHORIZED', requestId: 'auth-test-request-1' });
  });

  it('rejects malformed Authorization headers with 401, though the same token as a proper bearer is accepted', async () => {
    const good = t.token('alice');
    const headers = [
      'Bearer',
      'Bearer ',
      'Bearer not-a-jwt',
      'Bearer a.b.c',
      `Bearer ${good.split('.').slice(0, 2).join('.')}`,
      `Bearer ${good}x`,
      good,
      `Basic ${Buffer.from('alice:secret').toString('base64')}`,
      `Token ${good}`,
    ];
    const results = [];
    for (const header of headers) {
      const res = await t.http.get(ME).set('Authorization', header);
      results.push({ header, status: res.status, error: res.body.error });
    }
    expect(results).toEqual(headers.map((header) => ({ header, status: 401, error: 'UNAUTHORIZED' })));
    await t.http.get(ME).set('Authorization', `Bearer ${good}`).expect(200);
  });

  describe('POST /v1/dev/token', () => {
    it('mints an HS256 Cognito-shaped token that works on a guarded route and carries sub, roles and email', async () => {
      const minted = await t.http
        .post('/v1/dev/token')
        .send({ sub: 'alice', roles: ['admin', 'support'], email: 'alice@example.com' })
        .expect(200);
      expect(minted.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 86400 });

      const token = minted.body.accessToken as string;
      const claims = jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims).toMatchObject({
        sub: 'alice',
        'cognito:groups': ['admin', 'support'],
        email: 'alice@example.com',
        token_use: 'access',
      });
      expect(claims.exp! - claims.iat!).toBe(86400);

      const me = await t.http.get(ME).set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toEqual({ sub: 'alice', roles: ['admin', 'support'], email: 'alice@example.com' });
    });

    it('mints a token with no roles and no email when none are asked for', async () => {
      const minted = await t.http.post('/v1/dev/token').send({ sub: 'bob' }).expect(200);
      const me = await t.http.get(ME).set('Authorization', `Bearer ${minted.body.accessToken}`).expect(200);
      expect(me.body).toEqual({ sub: 'bob', roles: [] });
    });

    it('rejects a body without sub with 400 VALIDATION_FAILED naming the field', async () => {
      const res = await t.http.post('/v1/dev/token').send({ roles: ['admin'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: expect.arrayContaining([{ field: 'sub', message: expect.any(String) }]),
        requestId: expect.any(String),
      });
      expect(res.body.details.every((d: { field: string }) => d.field === 'sub')).toBe(true);
    });

    it('rejects an unknown field with 400 VALIDATION_FAILED instead of ignoring it', async () => {
      const res = await t.http.post('/v1/dev/token').send({ sub: 'mallory', isAdmin: true });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ field: 'isAdmin', message: 'property isAdmin should not exist' }],
        requestId: expect.any(String),
      });
    });

    it('lists every bad field at once: a malformed role and a malformed email', async () => {
      const res = await t.http.post('/v1/dev/token').send({ sub: 'alice', roles: ['Admin!'], email: 'not-an-email' });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      expect([...new Set(res.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['email', 'roles']);
    });
  });

  it('rejects a token signed with another secret, though the same claims signed with JWT_SECRET are accepted', async () => {
    const claims = { sub: 'alice', 'cognito:groups': ['admin'] };
    await t.http
      .get(ME)
      .set('Authorization', `Bearer ${devToken(claims)}`)
      .expect(200);
    const forged = devToken(claims, { secret: 'someone-elses-secret-0123456789' });
    expectError(await t.http.get(ME).set('Authorization', `Bearer ${forged}`), 401, 'UNAUTHORIZED');
    expectError(await t.http.get(ADMIN).set('Authorization', `Bearer ${forged}`), 401, 'UNAUTHORIZED');
  });

  it('rejects an expired token', async () => {
    const expired = devToken({ sub: 'alice' }, { expiresIn: -10 });
    expect((jwt.decode(expired) as jwt.JwtPayload).exp).toBeLessThan(now());
    expectError(await t.http.get(ME).set('Authorization', `Bearer ${expired}`), 401, 'UNAUTHORIZED');
  });

  it('rejects a correctly signed token without exp (it would never expire), also on a second try', async () => {
    const forever = jwt.sign({ sub: 'alice', token_use: 'access', 'cognito:groups': ['admin'] }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
    });
    expect(jwt.decode(forever)).not.toHaveProperty('exp');
    for (let attempt = 0; attempt < 2; attempt++) {
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${forever}`), 401, 'UNAUTHORIZED');
      expectError(await t.http.get(ADMIN).set('Authorization', `Bearer ${forever}`), 401, 'UNAUTHORIZED');
    }
    // The same claims with an exp pass: only the missing exp was refused.
    await t.http
      .get(ADMIN)
      .set('Authorization', `Bearer ${devToken({ sub: 'alice', 'cognito:groups': ['admin'] })}`)
      .expect(200);
  });

  it('refuses a token it accepted a moment ago once the token has expired (verified tokens are remembered, never past exp)', async () => {
    const shortLived = devToken({ sub: 'alice' }, { expiresIn: 2 });
    await t.http.get(ME).set('Authorization', `Bearer ${shortLived}`).expect(200);
    await t.http.get(ME).set('Authorization', `Bearer ${shortLived}`).expect(200); // from memory this time
    const exp = (jwt.decode(shortLived) as jwt.JwtPayload).exp! * 1000;
    // The app's clock reaches the token's exp (both the remembered token and jsonwebtoken's check read it).
    t.clock.set(exp);
    try {
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${shortLived}`), 401, 'UNAUTHORIZED');
    } finally {
      t.clock.reset();
    }
  });

  it('rejects an unsigned alg:none token, with an empty signature or one copied from a genuine token', async () => {
    const claims = { sub: 'alice', 'cognito:groups': ['admin'], token_use: 'access', iat: now(), exp: now() + 3600 };
    const genuineSignature = devToken({ sub: 'alice', 'cognito:groups': ['admin'] }).split('.')[2];
    for (const token of [unsignedToken(claims), unsignedToken(claims, genuineSignature)]) {
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
      expectError(await t.http.get(ADMIN).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects an RS256 token (wrong algorithm for dev mode)', async () => {
    const key = createRsaSigningKey('dev-mode-intruder');
    const token = jwt.sign({ sub: 'alice', token_use: 'access' }, key.privateKey, { algorithm: 'RS256', expiresIn: 3600 });
    expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
  });

  it('accepts HS256 only: the right secret with HS384 or HS512 is still 401', async () => {
    for (const algorithm of ['HS384', 'HS512'] as const) {
      const token = devToken({ sub: 'alice' }, { algorithm });
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects a correctly signed token that names no user (no sub)', async () => {
    const token = devToken({ 'cognito:groups': ['admin'] });
    expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
  });

  it('rejects a correctly signed token whose token_use is neither access nor id', async () => {
    const token = devToken({ sub: 'alice', token_use: 'refresh' });
    expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
  });

  it('answers @Roles("admin") with 403 FORBIDDEN for a signed-in non-admin', async () => {
    const res = await t.http.get(ADMIN).set('Authorization', `Bearer ${t.token('bob', ['support'])}`);
    expectError(res, 403, 'FORBIDDEN');
  });

  it('lets an admin through @Roles("admin")', async () => {
    const res = await t.http
      .get(ADMIN)
      .set('Authorization', `Bearer ${t.token('carol', ['admin'])}`)
      .expect(200);
    expect(res.body).toEqual({ sub: 'carol', roles: ['admin'] });
  });

  it('serves a @Public() route without a token, and does not check a token sent to it', async () => {
    expect((await t.http.get(OPEN).expect(200)).body).toEqual({ open: true });
    expect((await t.http.get(OPEN).set('Authorization', 'Bearer not-a-jwt').expect(200)).body).toEqual({ open: true });
  });
});

describe('auth in dev mode with JWT_ISSUER and JWT_AUDIENCE set', () => {
  const issuer = 'https://auth.holdfast.test';
  const audience = 'holdfast-mobile';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JWT_ISSUER: issuer, JWT_AUDIENCE: audience }, imports: [AuthProbeModule] });
  });
  afterAll(async () => t?.close());

  it('mints tokens from POST /v1/dev/token that carry the issuer and client id, and accepts them', async () => {
    const minted = await t.http
      .post('/v1/dev/token')
      .send({ sub: 'alice', roles: ['admin'] })
      .expect(200);
    const claims = jwt.verify(minted.body.accessToken, TEST_JWT_SECRET, { algorithms: ['HS256'], issuer }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ iss: issuer, client_id: audience });
    const me = await t.http.get(ME).set('Authorization', `Bearer ${minted.body.accessToken}`).expect(200);
    expect(me.body).toEqual({ sub: 'alice', roles: ['admin'] });
  });

  it('rejects a correctly signed token with another issuer or none', async () => {
    for (const claims of [{ iss: 'https://evil.example' }, {}]) {
      const token = devToken({ sub: 'alice', client_id: audience, ...claims });
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects a correctly signed token for another client id or none', async () => {
    await t.http
      .get(ME)
      .set('Authorization', `Bearer ${devToken({ sub: 'alice', iss: issuer, client_id: audience })}`)
      .expect(200);
    for (const claims of [{ client_id: 'another-app' }, {}, { aud: audience }]) {
      const token = devToken({ sub: 'alice', iss: issuer, ...claims });
      expectError(await t.http.get(ME).set('Authorization', `Bearer ${token}`), 401, 'UNAUTHORIZED');
    }
  });
});

describe('auth in jwks mode (RS256 against a Cognito-like JWKS)', () => {
  let jwks: JwksServer;
  let t: TestApp;
  const bearer = (token: string) => `Bearer ${token}`;

  beforeAll(async () => {
    jwks = await startJwksServer();
    t = await createTestApp({
      env: { AUTH_MODE: 'jwks', JWT_JWKS_URL: jwks.url, JWT_ISSUER: TEST_COGNITO_ISSUER, JWT_AUDIENCE: TEST_COGNITO_CLIENT_ID },
      imports: [AuthProbeModule],
    });
  });
  afterAll(async () => {
    await t?.close();
    await jwks?.close();
  });

  it('accepts a Cognito access token and reads roles from cognito:groups, with the key fetched from JWT_JWKS_URL', async () => {
    const token = signCognitoToken(jwks.key, { sub: 'alice', groups: ['admin'] });
    const me = await t.http.get(ME).set('Authorization', bearer(token)).expect(200);
    expect(me.body).toEqual({ sub: 'alice', roles: ['admin'] });
    await t.http.get(ADMIN).set('Authorization', bearer(token)).expect(200);
    expect(jwks.requests()).toBeGreaterThanOrEqual(1);
  });

  it('accepts a Cognito id token (client id in aud) and reads its email', async () => {
    const token = signCognitoToken(jwks.key, { tokenUse: 'id', sub: 'dana', email: 'dana@example.com', groups: ['support'] });
    const me = await t.http.get(ME).set('Authorization', bearer(token)).expect(200);
    expect(me.body).toEqual({ sub: 'dana', email: 'dana@example.com', roles: ['support'] });
  });

  it('answers 403 FORBIDDEN on an admin route for a valid token without the admin group', async () => {
    const token = signCognitoToken(jwks.key, { sub: 'erin', groups: ['support'] });
    expectError(await t.http.get(ADMIN).set('Authorization', bearer(token)), 403, 'FORBIDDEN');
  });

  it('answers 401 without a token, and serves @Public() routes without one', async () => {
    expectError(await t.http.get(ME), 401, 'UNAUTHORIZED');
    expect((await t.http.get(OPEN).expect(200)).body).toEqual({ open: true });
  });

  it('rejects a token from another issuer, or with none', async () => {
    for (const iss of ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_SomeoneElse', undefined]) {
      const token = signCognitoToken(jwks.key, { sub: 'alice', groups: ['admin'], claims: { iss } });
      expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects an access token for another app client, or whose client id is only in aud', async () => {
    for (const claims of [
      { client_id: 'another-client' },
      { client_id: undefined },
      { client_id: undefined, aud: TEST_COGNITO_CLIENT_ID },
    ]) {
      const token = signCognitoToken(jwks.key, { sub: 'alice', claims });
      expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects an id token for another audience, or whose client id is only in client_id', async () => {
    for (const claims of [{ aud: 'another-client' }, { aud: undefined, client_id: TEST_COGNITO_CLIENT_ID }]) {
      const token = signCognitoToken(jwks.key, { tokenUse: 'id', sub: 'alice', email: 'alice@example.com', claims });
      expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects a token whose token_use is refresh or unknown, even with both client id claims right', async () => {
    for (const tokenUse of ['refresh', 'something-else']) {
      const token = signCognitoToken(jwks.key, { tokenUse, sub: 'alice', claims: { aud: TEST_COGNITO_CLIENT_ID } });
      expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
    }
  });

  it('rejects a token signed by another key that claims the published kid', async () => {
    const forged = signCognitoToken(jwks.impostorKey, { sub: 'alice', groups: ['admin'] });
    expect(jwt.decode(forged, { complete: true })?.header.kid).toBe(jwks.key.kid);
    expectError(await t.http.get(ADMIN).set('Authorization', bearer(forged)), 401, 'UNAUTHORIZED');
  });

  it('rejects a token whose kid the JWKS does not publish', async () => {
    const token = signCognitoToken(jwks.key, { sub: 'alice', kid: 'no-such-key' });
    expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
  });

  it('rejects an expired token', async () => {
    const token = signCognitoToken(jwks.key, { sub: 'alice', expiresIn: -10 });
    expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
  });

  it('rejects a correctly signed Cognito token without exp (it would never expire)', async () => {
    const claims = jwt.decode(signCognitoToken(jwks.key, { sub: 'alice', groups: ['admin'] })) as jwt.JwtPayload;
    delete claims.exp;
    const forever = jwt.sign(claims, jwks.key.privateKey, { algorithm: 'RS256', keyid: jwks.key.kid });
    expect(jwt.decode(forever)).not.toHaveProperty('exp');
    for (let attempt = 0; attempt < 2; attempt++) {
      expectError(await t.http.get(ME).set('Authorization', bearer(forever)), 401, 'UNAUTHORIZED');
    }
    const withExp = jwt.sign(claims, jwks.key.privateKey, { algorithm: 'RS256', keyid: jwks.key.kid, expiresIn: 3600 });
    await t.http.get(ADMIN).set('Authorization', bearer(withExp)).expect(200);
  });

  it('rejects a token without sub', async () => {
    const token = signCognitoToken(jwks.key, { claims: { sub: undefined } });
    expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
  });

  it('rejects HS256 tokens (wrong algorithm): one signed with JWT_SECRET, and one signed with the public key as HMAC secret', async () => {
    const confused = jwt.sign(
      { sub: 'alice', iss: TEST_COGNITO_ISSUER, token_use: 'access', client_id: TEST_COGNITO_CLIENT_ID },
      jwks.key.publicKey.export({ format: 'pem', type: 'spki' }),
      { algorithm: 'HS256', keyid: jwks.key.kid, expiresIn: 3600 },
    );
    for (const token of [t.token('alice', ['admin']), confused]) {
      expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
    }
  });

  it('accepts RS256 only: the published key with RS512 is still 401', async () => {
    const token = signCognitoToken(jwks.key, { sub: 'alice', algorithm: 'RS512' });
    expectError(await t.http.get(ME).set('Authorization', bearer(token)), 401, 'UNAUTHORIZED');
  });

  it('rejects an unsigned alg:none token', async () => {
    const claims = {
      sub: 'alice',
      iss: TEST_COGNITO_ISSUER,
      token_use: 'access',
      client_id: TEST_COGNITO_CLIENT_ID,
      'cognito:groups': ['admin'],
      exp: now() + 3600,
    };
    expectError(await t.http.get(ADMIN).set('Authorization', bearer(unsignedToken(claims))), 401, 'UNAUTHORIZED');
  });

  it('does not serve POST /v1/dev/token (404 NOT_FOUND)', async () => {
    expectError(await t.http.post('/v1/dev/token').send({ sub: 'alice', roles: ['admin'] }), 404, 'NOT_FOUND');
  });
});
