import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@holdfast/database';
import { waitFor } from './wait';

/** Where Debian's `nats-server` package puts the binary, then the PATH. */
const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];

/** The nats-server binary, or null when the machine has none. */
export function natsServerBinary(): string | null {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/**
 * Whether the NATS tests run here: they need a real nats-server with JetStream. Without
 * the binary they are skipped with a message, except under CI=true, where a missing
 * binary is a failure (`.ci/run` installs Debian's package).
 */
export function natsAvailable(): boolean {
  if (natsServerBinary()) return true;
  const message = 'nats-server not found (apt-get install nats-server): the NATS relay tests are skipped';
  if (process.env.CI === 'true') throw new Error(`${message}, and CI=true does not allow that`);
  console.warn(message);
  return false;
}

/** A private nats-server with JetStream, its data in a temp dir; stop and start it again on the same port and dir. */
export interface RunningNats {
  url: string;
  port: number;
  /** Stops it (an outage); its streams stay on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  close(): Promise<void>;
}

export async function startNatsServer(): Promise<RunningNats> {
  const binary = natsServerBinary();
  if (!binary) throw new Error('nats-server not found');
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-nats-'));
  let child: ChildProcess | null = null;
  let output = '';

  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });

  const start = async () => {
    output = '';
    const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = proc;
    await waitFor('nats-server to accept connections', async () => {
      if (proc.exitCode !== null) throw new Error(`nats-server exited (${proc.exitCode}): ${output}`);
      // JetStream is ready once the server says so; the port opens a moment before.
      return output.includes('Server is ready') && (await accepts());
    });
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
