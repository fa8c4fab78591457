import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TestClock } from '@holdfast/clock';
import { createApp } from '../src/app.setup';
import { AuditService } from '@holdfast/audit';
import { TransactionHost } from '@holdfast/database';
import { FlagsConfig } from '../src/flags/flags.config';
import { FlagsRepository } from '../src/flags/flags.repository';
import { FlagsService } from '../src/flags/flags.service';
import { FLAG_CACHE_TTL_MS } from '../src/flags/postgres-flag.provider';
import { createTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait';

/**
 * Feature flags (src/flags): OpenFeature over the feature_flags table, cached 5 s per
 * process; flipped at run time by PUT /v1/admin/flags/{key}, audited.
 */
describe('feature flags', () => {
  let t: TestApp;
  /** A second replica on the same database, with its own clock and cache. */
  let replica: NestExpressApplication;
  let replicaClock: TestClock;
  let ada: string;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const put = (key: string, body: object, token = ada) => t.http.put(`/v1/admin/flags/${key}`).set(as(token)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    replicaClock = new TestClock();
    replica = await createApp(t.config, [], replicaClock);
    await replica.init();
    ada = t.token('ada', ['admin']);
  });
  afterAll(async () => {
    replicaClock.reset();
    await replica?.close();
    await t.close();
  });

  it('seeds notifications.email, events.relay, the shipping carriers and tax.provider, all on', async () => {
    const res = await t.http.get('/v1/admin/flags').set(as(ada)).expect(200);
    const seeded = (key: string) => ({
      key,
      enabled: true,
      variant: null,
      description: expect.any(String),
      updatedBy: 'system:migration',
      updatedAt: expect.any(String),
    });
    // tax.provider: on, no variant (the configured default provider); one flag per simulated carrier.
    expect(res.body.flags).toEqual(
      [
        'events.relay',
        'inventory.ims',
        'notifications.email',
        'shipping.carrier.fedex',
        'shipping.carrier.ups',
        'shipping.carrier.usps',
        'tax.provider',
      ].map(seeded),
    );
  });

  it('flips at run time: at once here, within the cache time plus one read on another replica, no restart', async () => {
    const here = t.app.get(FlagsService);
    const there = replica.get(FlagsService);
    expect(await there.isEnabled('notifications.email')).toBe(true); // the replica has cached it now
    // Hold the replica's clock back a minute, so however slowly this machine runs, its
    // cached value cannot expire by real time passing before we move the clock on purpose.
    replicaClock.advance(-60_000);

    const res = await put('notifications.email', { enabled: false }).expect(200);
    expect(res.body).toMatchObject({ key: 'notifications.email', enabled: false, updatedBy: 'ada' });
    expect(await here.isEnabled('notifications.email')).toBe(false); // this process dropped its cache on commit
    expect(await there.isEnabled('notifications.email')).toBe(true); // still cached

    replicaClock.advance(60_000 + FLAG_CACHE_TTL_MS); // the cached value's 5 s are over
    // The first evaluation after them answers from memory at once and reads the table in
    // the background; the evaluations after that read answer the new value.
    expect(await there.isEnabled('notifications.email')).toBe(true);
    await waitFor('the replica to read the flip', async () => !(await there.isEnabled('notifications.email')));

    await put('notifications.email', { enabled: true }).expect(200);
    replicaClock.advance(FLAG_CACHE_TTL_MS);
    await waitFor('the replica to read the second flip', () => there.isEnabled('notifications.email'));
    // Not reset here: a clock moved back would keep the replica's cache fresh for longer.
  });

  it('never makes a transaction wait for the flag read: with every pooled connection in a transaction, an expired cache answers from memory', async () => {
    // Issue 16: holds evaluate flags inside their transactions. When the cache expired
    // with every connection of the pool in such a transaction, the read waited for a
    // connection that none of them would give back before the read answered: after the
    // pool's 5 s time-out the read failed, every hold waiting for it stalled that long, and
    // the failed read kept the stale values. Here a pool of 2, both in transactions.
    const clock = new TestClock();
    const small = await createApp({ ...t.config, DB_POOL_SIZE: 2 }, [], clock);
    await small.init();
    try {
      const flags = small.get(FlagsService);
      const txHost = small.get(TransactionHost);
      const repository = small.get(FlagsRepository);
      const read = repository.allOutsideTransaction.bind(repository);
      const failedReads: string[] = [];
      jest.spyOn(repository, 'allOutsideTransaction').mockImplementation(() =>
        read().catch((error: unknown) => {
          failedReads.push(String(error));
          throw error;
        }),
      );
      expect(await flags.isEnabled('shipping.carrier.ups')).toBe(true); // cached now
      await t.dataSource.query(`UPDATE feature_flags SET enabled = false WHERE key = 'shipping.carrier.ups'`); // another replica's flip
      clock.advance(FLAG_CACHE_TTL_MS);

      let inside = 0;
      let allInside!: () => void;
      const bothHoldConnections = new Promise<void>((resolve) => (allInside = resolve));
      const answers = await Promise.all(
        [1, 2].map(() =>
          txHost.run(async () => {
            await txHost.rows('SELECT 1'); // this transaction now holds one of the two connections
            if (++inside === 2) allInside();
            await bothHoldConnections;
            return flags.isEnabled('shipping.carrier.ups');
          }),
        ),
      );
      expect(answers).toEqual([true, true]); // the cached value, answered while both held their connections
      // The read started then got a connection once they committed: the flip shows.
      await waitFor('the background read to bring the flip', async () => !(await flags.isEnabled('shipping.carrier.ups')));
      expect(failedReads).toEqual([]); // it waited for a free connection, never past the pool's time-out
    } finally {
      await t.dataSource.query(`UPDATE feature_flags SET enabled = true WHERE key = 'shipping.carrier.ups'`);
      clock.reset();
      await small.close();
    }
  });

  it('carries a variant on an enabled flag; omitted keeps it, null clears it', async () => {
    const flags = t.app.get(FlagsService);
    expect((await put('events.relay', { enabled: true, variant: 'nats' }).expect(200)).body.variant).toBe('nats');
    expect(await flags.variant('events.relay')).toBe('nats');
    expect((await put('events.relay', { enabled: false }).expect(200)).body.variant).toBe('nats');
    expect(await flags.variant('events.relay')).toBeNull(); // off: no variant
    expect((await put('events.relay', { enabled: true, variant: null }).expect(200)).body.variant).toBeNull();
    expect(await flags.isEnabled('events.relay')).toBe(true);
    expect(await flags.variant('events.relay')).toBeNull();
  });

  it('audits each flip with who, before and after', async () => {
    await put('events.relay', { enabled: false }, t.token('bob', ['admin'])).expect(200);
    await put('events.relay', { enabled: true }).expect(200);
    const res = await t.http
      .get('/v1/admin/audit')
      .query({ recordType: 'feature_flag', recordId: 'events.relay', limit: 2 })
      .set(as(ada))
      .expect(200);
    expect(
      res.body.entries.map((e: { actor: string; before: { enabled: boolean }; after: { enabled: boolean } }) => [
        e.actor,
        e.before.enabled,
        e.after.enabled,
      ]),
    ).toEqual([
      ['ada', false, true],
      ['bob', true, false],
    ]);
  });

  it('answers an unknown flag with the fallback, and keeps serving the last values while the table cannot be read', async () => {
    const flags = replica.get(FlagsService);
    expect(await flags.isEnabled('no.such.flag')).toBe(false);
    expect(await flags.isEnabled('no.such.flag', true)).toBe(true);

    await put('notifications.email', { enabled: false }).expect(200);
    replicaClock.advance(FLAG_CACHE_TTL_MS);
    await waitFor('the replica to read the flip', async () => !(await flags.isEnabled('notifications.email')));
    await t.dataSource.query('ALTER TABLE feature_flags RENAME TO feature_flags_away');
    try {
      replicaClock.advance(FLAG_CACHE_TTL_MS);
      expect(await flags.isEnabled('notifications.email', true)).toBe(false); // the last value read, not the fallback
    } finally {
      await t.dataSource.query('ALTER TABLE feature_flags_away RENAME TO feature_flags');
    }
    await put('notifications.email', { enabled: true }).expect(200);
    replicaClock.advance(FLAG_CACHE_TTL_MS);
    await waitFor('the replica to read the table again', () => flags.isEnabled('notifications.email'));
  });

  it('answers 404 for an unknown key, 400 for a bad body, 403 for a non-admin', async () => {
    const unknown = await put('no.such.flag', { enabled: true });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('NOT_FOUND');
    for (const body of [
      {},
      { enabled: 'yes' },
      { enabled: 1 },
      { enabled: true, variant: '' },
      { enabled: true, variant: 'a b' },
      { enabled: true, variant: 5 },
      { enabled: true, extra: 1 },
    ]) {
      const res = await put('events.relay', body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status: 400, error: 'VALIDATION_FAILED' });
    }
    const user = t.token('alice');
    expect((await put('events.relay', { enabled: false }, user)).status).toBe(403);
    expect((await t.http.get('/v1/admin/flags').set(as(user))).status).toBe(403);
    expect(await t.app.get(FlagsService).isEnabled('events.relay')).toBe(true); // none of that changed it
  });

  it('refuses, in production, a flag value that selects a simulated integration (tax.provider=simulated)', async () => {
    await put('tax.provider', { enabled: true, variant: 'simulated' }).expect(200); // development: allowed
    await put('tax.provider', { enabled: true, variant: null }).expect(200);
    // The same service as production builds it, on this database.
    const production = new FlagsService(
      t.app.get(TransactionHost),
      t.app.get(FlagsRepository, { strict: false }),
      t.app.get(AuditService),
      t.clock,
      { production: true } satisfies FlagsConfig,
    );
    await expect(production.set('tax.provider', { enabled: true, variant: 'simulated' }, 'ada')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'variant', message: expect.stringContaining('refused with NODE_ENV=production') }],
    });
    expect(await production.set('tax.provider', { enabled: true, variant: 'http' }, 'ada')).toMatchObject({ variant: 'http' });
    await put('tax.provider', { enabled: true, variant: null }).expect(200);
  });
});
