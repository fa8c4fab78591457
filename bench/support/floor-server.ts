/**
 * The floor of the hold benches: the least any Node.js service could do per hold on this
 * machine. A bare node:http server (no framework, no auth, no validation, no logging)
 * with a node-postgres pool of the app's size, that answers every POST by running the
 * pgbench script's hold statement (the app's own one-slot hold statement, `pgbenchScript`)
 * as a named prepared statement, with the request's X-Idempotency-Key as the key and
 * random ids and lock, then `{"ok":true}`. Between pgbench (Postgres alone) and the app,
 * it says what Node.js and node-postgres cost before any of the app's own work.
 *
 * Run as its own process by bench/holds.ts (the `floor` phase): FLOOR_DATABASE_URL,
 * FLOOR_SCRIPT (the pgbench script's path), FLOOR_POOL; prints its port on stdout.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type ServerProcess, startServerProcess } from './common';

const HERE = fileURLToPath(import.meta.url);

/** Starts this file as its own process against `databaseUrl`, with the pgbench script at `scriptPath`. */
export function startFloor(databaseUrl: string, scriptPath: string, poolSize: number): Promise<ServerProcess> {
  return startServerProcess('floor server', [HERE], {
    FLOOR_DATABASE_URL: databaseUrl,
    FLOOR_SCRIPT: scriptPath,
    FLOOR_POOL: String(poolSize),
  });
}

/** The script's one statement with pgbench's variables as parameters: $1 slot number, $2 key, $3 lock, $4 id seed. */
export function floorStatement(script: string): string {
  const statement = script
    .split('\n')
    .filter((line) => !line.startsWith('\\set'))
    .join(' ')
    .trim()
    .replace(/;$/, '')
    // The request's key itself, so the bench's checks find it as they find the app's.
    .replace(`('pgb-' || :k)`, ':k');
  const parameters: Record<string, string> = { n: '$1::int', k: '$2::text', lk: '$3::bigint', h: '$4::bigint' };
  return statement.replace(/:(n|k|lk|h)\b/g, (_, name: string) => parameters[name]);
}

const SLOTS = 10_000;
const randomBigint = (): string => ((randomBytes(8).readBigUInt64BE() % 9_000_000_000_000_000_000n) + 1n).toString();

function serve(): void {
  const text = floorStatement(readFileSync(process.env.FLOOR_SCRIPT!, 'utf8'));
  const pool = new pg.Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL) });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8')); // a service reads its body
      } catch {
        res.statusCode = 400;
        res.end();
        return;
      }
      const key = String(req.headers['x-idempotency-key']);
      const values = [1 + Math.floor(Math.random() * SLOTS), key, randomBigint(), randomBigint()];
      pool.query({ name: 'hold', text, values }).then(
        () => {
          res.setHeader('content-type', 'application/json');
          res.end('{"ok":true}');
        },
        (error: Error) => {
          process.stderr.write(`floor: ${error.message}\n`);
          res.statusCode = 500;
          res.end();
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

// Serves only when run as a program (startFloor), not when the bench imports it.
if (process.argv[1] === HERE) serve();
