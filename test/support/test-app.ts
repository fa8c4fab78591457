import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { TestClock } from '@holdfast/clock';
import { createApp } from '../../src/app.setup';
import { type AppConfig, createAppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { mintDevToken } from '../../src/auth/dev-token.service';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'holdfast-test-secret-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  /**
   * The app's clock, which the test moves (`t.clock.advance(ms)`); it starts on the
   * system clock. It cannot move PostgreSQL's now(): back-date rows for that.
   */
  clock: TestClock;
  /** A dev bearer token for a user: `Authorization: Bearer ${token('alice')}`. */
  token(sub: string, roles?: string[]): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  imports?: DynamicModule['imports'];
}

/**
 * The real app (same setup as main.ts) on a fresh database of its own. Jobs keep their
 * production schedule; tests call them directly when they need them to run.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  // The local object store writes here (created on the first write), not under the repository's .data/.
  const objectsDir = join(tmpdir(), `holdfast-objects-${randomUUID()}`);
  const env = validateEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_MODE: 'dev',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: db.url,
    MIGRATIONS_RUN: 'false',
    DEMO_CATALOG: 'false',
    // Limits no test reaches by accident; a test of rate limiting sets its own.
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_HOLD_PER_MINUTE: '100000',
    OBJECT_STORE_DIR: objectsDir,
    ...options.env,
  });
  const config = createAppConfig(env, db.url, false);
  const clock = new TestClock();
  const app = await createApp(config, options.imports ?? [], clock);
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    db,
    dataSource: app.get(DataSource),
    clock,
    token: (sub, roles = []) => mintDevToken(config.JWT_SECRET, { sub, roles }, 3600, config.JWT_AUDIENCE, config.JWT_ISSUER),
    async close() {
      await app.close();
      await db.drop();
      await rm(objectsDir, { recursive: true, force: true });
    },
  };
}
