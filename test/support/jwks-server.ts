import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** An RSA key pair as an identity provider holds it: the private half signs, the JWK is published. */
export interface RsaSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as it appears in a JWKS: `{ kty, n, e, kid, alg: 'RS256', use: 'sig' }`. */
  jwk: JsonWebKey & { kid: string; alg: string; use: string };
}

/** A fresh 2048-bit RSA key pair published under `kid`. */
export function createRsaSigningKey(kid: string): RsaSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** The user pool the tests pretend to be; the app is configured with these. */
export const TEST_COGNITO_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_HoldfastTest';
export const TEST_COGNITO_CLIENT_ID = 'client123';

export interface CognitoTokenOptions {
  /** `access` (client id in `client_id`) or `id` (client id in `aud`); anything else is sent as is. */
  tokenUse?: string;
  sub?: string;
  groups?: string[];
  email?: string;
  /** Claims to add or override; a value of `undefined` removes the claim. */
  claims?: Record<string, unknown>;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  /** The `kid` header; defaults to the signing key's own. */
  kid?: string;
  /** Defaults to RS256; tests use others to prove the app pins the algorithm. */
  algorithm?: jwt.Algorithm;
}

/**
 * Signs a token shaped like one from a Cognito user pool: an access token carries
 * `client_id`, `scope`, `username`; an id token carries `aud`, `email`, `cognito:username`.
 * Both carry `sub`, `iss`, `token_use`, `cognito:groups`, `auth_time`, `iat`, `exp`.
 */
export function signCognitoToken(key: RsaSigningKey, options: CognitoTokenOptions = {}): string {
  const tokenUse = options.tokenUse ?? 'access';
  const sub = options.sub ?? '5f1c2a4e-9d3b-4e57-8a61-2c0d7b9e4f10';
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub,
    iss: TEST_COGNITO_ISSUER,
    token_use: tokenUse,
    auth_time: now,
    ...(options.groups ? { 'cognito:groups': options.groups } : {}),
    ...(tokenUse === 'id'
      ? {
          aud: TEST_COGNITO_CLIENT_ID,
          'cognito:username': sub,
          email_verified: true,
          ...(options.email ? { email: options.email } : {}),
        }
      : { client_id: TEST_COGNITO_CLIENT_ID, scope: 'aws.cognito.signin.user.admin', username: sub }),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return jwt.sign(claims, key.privateKey, {
    algorithm: options.algorithm ?? 'RS256',
    keyid: options.kid ?? key.kid,
    expiresIn: options.expiresIn ?? 3600,
  });
}

export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  url: string;
  /** The key the server publishes. */
  key: RsaSigningKey;
  /** Never published, but with the SAME kid as `key`: tokens it signs are forgeries. */
  impostorKey: RsaSigningKey;
  /** How many times the JWKS has been fetched. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A stand-in for a Cognito user pool's `/.well-known/jwks.json` on 127.0.0.1 (a free
 * port), publishing one RSA key. Anything else is 404.
 */
export async function startJwksServer(kid = 'holdfast-test-key-1'): Promise<JwksServer> {
  const key = createRsaSigningKey(kid);
  const impostorKey = createRsaSigningKey(kid);
  let requests = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    key,
    impostorKey,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // jwks-rsa's requests use Node's keep-alive agent: drop idle sockets so close() returns.
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
