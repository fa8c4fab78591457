import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './support/test-app';

describe('the app on a test database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('is ready when its database answers', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('answers an unknown route with NOT_FOUND in the error envelope', async () => {
    const res = await t.http.get('/v1/no-such-route').expect(404);
    expect(res.body).toEqual({ error: 'NOT_FOUND', message: expect.any(String), requestId: expect.any(String) });
  });
});

describe('readiness when the database is gone', () => {
  it('answers 503 with the failed check, not the error envelope', async () => {
    const t = await createTestApp();
    try {
      await t.http.get('/health/ready').expect(200);
      await t.dataSource.destroy(); // the pool is closed: every query now fails
      const res = await t.http.get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      await t.http.get('/health/live').expect(200);
    } finally {
      await t.app.close().catch(() => undefined);
      await t.db.drop();
    }
  });
});
