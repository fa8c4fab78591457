import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AuthProbeModule } from './support/auth-probe.module';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { buildAppInto } from './support/build-app';

const ROOT = process.cwd(); // jest runs from the repository root
/**
 * `npm run token` is `npm run build` and then `node dist/src/cli/token.js`. This file
 * builds with the same tsconfig and steps as `npm run build` into a directory of its
 * own, because dist/ is shared: `npm start`, `npm run token` or another test run
 * rebuilding it (`rm -rf dist` first) would pull the file from under these tests. The
 * directory sits inside the repository so node_modules and "type": "module" resolve as
 * they do for dist/.
 */
const BUILD_DIR = join(ROOT, '.data', `token-cli-build-${randomBytes(4).toString('hex')}`);
const CLI = join(BUILD_DIR, 'src/cli/token.js');
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Only what a shell would need, so neither this run's environment (NODE_OPTIONS,
 * a developer's JWT_* variables) nor jest's leaks into the command under test.
 */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

describe('npm run token (src/cli/token.ts)', () => {
  let cwd: string;
  let t: TestApp;

  /** Runs the built CLI from an empty directory, so that no `.env` can change what it sees. */
  const runCli = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    buildAppInto(BUILD_DIR);
    cwd = mkdtempSync(join(tmpdir(), 'holdfast-token-cli-'));
    t = await createTestApp({ imports: [AuthProbeModule] });
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    rmSync(BUILD_DIR, { recursive: true, force: true });
  });

  it('is wired as `npm run token`: build with tsc + tsc-alias, then run the built CLI', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.token).toMatch(/^npm run build\b.*&& node dist\/src\/cli\/token\.js$/);
    expect(scripts.build).toContain('tsc -p tsconfig.build.json && tsc-alias -p tsconfig.build.json');
  });

  it('`--sub alice --roles admin` prints one HS256 token for alice with the admin role, which the app accepts', async () => {
    const run = runCli(['--sub', 'alice', '--roles', 'admin'], { AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = run.stdout.trim();
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS256');
    const claims = jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'alice', 'cognito:groups': ['admin'], token_use: 'access' });
    expect(claims.exp! - claims.iat!).toBe(86400);

    const res = await t.http.get('/v1/test-auth/admin').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toEqual({ sub: 'alice', roles: ['admin'] });
  });

  it('takes several comma-separated roles and an email, which the app reads back', async () => {
    const run = runCli(['--sub', 'bob', '--roles', 'admin, support,,', '--email', 'bob@example.com'], {
      AUTH_MODE: 'dev',
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const token = run.stdout.trim();
    expect(token).toMatch(JWT_SHAPE);
    const me = await t.http.get('/v1/test-auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toEqual({ sub: 'bob', roles: ['admin', 'support'], email: 'bob@example.com' });
  });

  it('--scope writes the space-delimited scope claim of a machine client, which the app honours', async () => {
    const run = runCli(['--sub', 'forecasting', '--scope', 'holdfast/analytics.read other/x.read'], {
      AUTH_MODE: 'dev',
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const token = run.stdout.trim();
    expect((jwt.decode(token) as jwt.JwtPayload).scope).toBe('holdfast/analytics.read other/x.read');
    // The scope opens the analytics export (admins or holdfast/analytics.read) to a token with no roles.
    const feed = await t.http
      .get('/v1/bookings/analytics')
      .query({ from: '2001-01-01', to: '2001-01-02' })
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(feed.body).toEqual({ data: [], nextCursor: null });
  });

  it('without --roles prints a token with no roles, which an admin route refuses with 403', async () => {
    const run = runCli(['--sub', 'carol'], { AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET });
    expect(run.status).toBe(0);
    const token = run.stdout.trim();
    expect((jwt.decode(token) as jwt.JwtPayload)['cognito:groups']).toEqual([]);
    const res = await t.http.get('/v1/test-auth/admin').set('Authorization', `Bearer ${token}`);
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 403, error: 'FORBIDDEN' });
  });

  it('signs with JWT_SECRET and honours JWT_ISSUER, JWT_AUDIENCE and DEV_TOKEN_TTL_SECONDS', () => {
    const secret = 'another-cli-secret-0123456789';
    const run = runCli(['--sub', 'dave'], {
      AUTH_MODE: 'dev',
      JWT_SECRET: secret,
      JWT_ISSUER: 'https://auth.holdfast.test',
      JWT_AUDIENCE: 'holdfast-mobile',
      DEV_TOKEN_TTL_SECONDS: '600',
    });
    expect(run.status).toBe(0);
    const token = run.stdout.trim();
    expect(() => jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'] })).toThrow(/invalid signature/);
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'https://auth.holdfast.test' }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'dave', client_id: 'holdfast-mobile', iss: 'https://auth.holdfast.test' });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('without --sub exits non-zero with a usage message and prints no token', () => {
    const run = runCli(['--roles', 'admin'], { AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('usage: npm run token -- --sub <user id>');
    expect(run.stdout).toBe('');
  });

  it('rejects an unknown option', () => {
    const run = runCli(['--sub', 'alice', '--admin'], { AUTH_MODE: 'dev', JWT_SECRET: TEST_JWT_SECRET });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--admin');
    expect(run.stdout).toBe('');
  });

  it('refuses to mint when AUTH_MODE=jwks', () => {
    const run = runCli(['--sub', 'alice', '--roles', 'admin'], {
      AUTH_MODE: 'jwks',
      JWT_JWKS_URL: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x/.well-known/jwks.json',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('AUTH_MODE is not dev');
    expect(run.stdout).toBe('');
  });

  it('refuses a JWT_SECRET too short to be safe, naming the variable', () => {
    const run = runCli(['--sub', 'alice'], { AUTH_MODE: 'dev', JWT_SECRET: 'short' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('JWT_SECRET');
    expect(run.stdout).toBe('');
  });
});
