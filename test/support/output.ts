import fs from 'node:fs';

/**
 * Captures everything the process would print while `fn` runs. pino's default destination
 * (sonic-boom) writes to fd 1 with fs.writeSync, bypassing process.stdout; TypeORM's
 * logger uses console.log, which jest replaces with its own console. All are intercepted.
 */
export async function captureOutput(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const record = (data: unknown): void => {
    chunks.push(typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  };
  const originalWriteSync = fs.writeSync;
  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originalConsole = consoleMethods.map((method) => console[method]);
  fs.writeSync = function (fd: number, data: unknown, ...rest: unknown[]) {
    if (fd === 1 || fd === 2) {
      record(data);
      return typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
    }
    return (originalWriteSync as (...args: unknown[]) => number)(fd, data, ...rest);
  } as typeof fs.writeSync;
  process.stdout.write = ((data: unknown) => (record(data), true)) as typeof process.stdout.write;
  process.stderr.write = ((data: unknown) => (record(data), true)) as typeof process.stderr.write;
  for (const method of consoleMethods) console[method] = (...args: unknown[]) => record(`${args.map(String).join(' ')}\n`);
  try {
    await fn();
  } finally {
    fs.writeSync = originalWriteSync;
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    consoleMethods.forEach((method, i) => (console[method] = originalConsole[i]));
  }
  return chunks.join('');
}
