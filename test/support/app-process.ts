import { type ChildProcess, spawn } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built app running in a child process, its output collected as it comes. */
export interface AppProcess {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  hasExited(): boolean;
}

/**
 * `node <main> ...args` from `cwd` (an empty directory, so that no `.env` can add anything) with
 * only PATH and HOME from our environment plus `env`; `port` is env.PORT or the app's 3000.
 */
export function spawnApp(main: string, cwd: string, env: Record<string, string>, args: string[] = []): AppProcess {
  const child = spawn(process.execPath, [main, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let done = false;
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  return { child, port: Number(env.PORT ?? 3000), stdout: () => out, stderr: () => err, exited, hasExited: () => done };
}
