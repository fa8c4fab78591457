import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TransactionHost } from '@holdfast/database';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * TransactionHost.all: reads side by side on pooled connections outside a transaction,
 * one after the other on the transaction's one connection inside it (node-postgres
 * queues a query sent while another runs on a client, deprecated, and refused from pg 9;
 * the payment webhook's confirmation once did so, reading a booking's items and money).
 */
describe('TransactionHost.all', () => {
  let t: TestApp;
  let txHost: TransactionHost;

  beforeAll(async () => {
    t = await createTestApp();
    txHost = t.app.get(TransactionHost);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Two reads, the first slower; each notes when it finished, and answers its backend. */
  const race = (finished: string[]) =>
    txHost.all([
      async () => {
        const [row] = await txHost.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)');
        finished.push('slow');
        return row.pid;
      },
      async () => {
        const [row] = await txHost.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        finished.push('fast');
        return row.pid;
      },
    ]);

  it('runs the reads side by side outside a transaction, each on its own connection, and answers in order', async () => {
    const finished: string[] = [];
    const [slow, fast] = await race(finished);
    expect(finished).toEqual(['fast', 'slow']);
    expect(slow).not.toBe(fast);
  });

  it('runs them one after the other inside a transaction, on its connection, seeing its writes', async () => {
    const finished: string[] = [];
    const result = await txHost.run(async () => {
      await txHost.rows(`SELECT set_config('holdfast.spec', 'in the transaction', true)`);
      const pids = await race(finished);
      const [seen] = await txHost.all([() => txHost.rows<{ value: string }>(`SELECT current_setting('holdfast.spec') AS value`)]);
      return { pids, seen };
    });
    expect(finished).toEqual(['slow', 'fast']);
    expect(result.pids[0]).toBe(result.pids[1]);
    expect(result.seen).toEqual([{ value: 'in the transaction' }]);
  });

  it('passes a failed read on, after the reads before it', async () => {
    await expect(
      txHost.run(() => txHost.all([() => txHost.rows('SELECT 1'), () => txHost.rows('SELECT no_such_column')])),
    ).rejects.toThrow(/no_such_column/);
  });
});
