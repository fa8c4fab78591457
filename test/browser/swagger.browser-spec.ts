import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Swagger UI at /docs, driven in Debian's Chromium (apt package `chromium`; `.ci/run`
 * installs it when missing) by playwright-core, which never downloads a browser of its
 * own. Runs only through `npm run test:browser` (jest project `browser`).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Where the screenshot of the hold goes: a temp file, so a test run leaves the checkout
 * clean; `SWAGGER_SCREENSHOT=docs/swagger-hold.png` refreshes the README's picture.
 */
const SCREENSHOT = resolve(process.env.SWAGGER_SCREENSHOT ?? join(tmpdir(), 'holdfast-swagger-hold.png'));
/** Bounds every wait: generous for a loaded 2-core machine, never endless. */
const STEP_TIMEOUT = 30_000;

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let baseUrl: string;
  let profileDir: string;
  let context: BrowserContext | undefined;
  let page: Page;
  /** Requests the page tried to send anywhere but the app: aborted, and asserted empty. */
  const outside: string[] = [];
  /** Script errors and console errors in the page (a CSP violation shows here). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    t = await createTestApp({ env: { DEMO_CATALOG: 'true' } });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;

    profileDir = mkdtempSync(join(tmpdir(), 'holdfast-chromium-'));
    // A fresh profile of our own (launchPersistentContext owns --user-data-dir).
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: STEP_TIMEOUT,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === baseUrl || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await t?.close();
  });

  it('authorises with a dev token and runs a hold from "Try it out": 200 and the hold in the page', async () => {
    // A real experience and one of its slots from the demo catalog, read through the API.
    const offerings = await t.http.get('/v1/catalog/offerings?limit=50').expect(200);
    const kayak = offerings.body.offerings.find((o: { title: string }) => o.title === 'Sunset kayak tour');
    expect(kayak).toBeDefined();
    const availability = await t.http.get(`/v1/catalog/offerings/${kayak.id}/availability`).expect(200);
    const slot = availability.body.slots[0];
    expect(slot).toBeDefined();

    await page.goto(`${baseUrl}/docs`);
    await expect(page.locator('.information-container .title').textContent()).resolves.toContain('Holdfast API');

    // Authorize: the bearer token goes into the security scheme's field.
    await page.locator('.scheme-container button.authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('.auth-container input').first().fill(t.token('alice'));
    await modal.locator('.auth-btn-wrapper button.authorize').click();
    await modal.getByRole('button', { name: 'Remove authorization' }).waitFor(); // "Logout": the token was taken
    await modal.locator('.auth-btn-wrapper button.btn-done').click();
    await modal.waitFor({ state: 'detached' });
    await page.locator('.scheme-container button.authorize.locked').waitFor();

    // POST /v1/reservations/hold, "Try it out".
    const operation = page.locator('.opblock-post').filter({
      has: page.locator('.opblock-summary-path[data-path="/v1/reservations/hold"]'),
    });
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('tr[data-param-name="X-Idempotency-Key"] input').fill(`swagger-${randomUUID()}`);
    const body = {
      experienceId: kayak.id,
      timeSlotId: slot.id,
      numberOfGuests: 2,
      guestName: 'Alice Swagger',
      guestEmail: 'alice@example.com',
    };
    await operation.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
    await operation.locator('button.execute').click();

    // The live response: status 200 and the held reservation in the body.
    const live = operation.locator('.live-responses-table tbody .response');
    await live.locator('.response-col_status').filter({ hasText: /\S/ }).waitFor();
    const status = (await live.locator('.response-col_status').innerText()).trim();
    const shown = await live.locator('.response-col_description pre.microlight').first().innerText();
    expect({ status, body: shown }).toMatchObject({ status: '200' }); // on failure, jest shows the body too
    const reservation = JSON.parse(shown).reservation;
    expect(reservation).toMatchObject({ status: 'held' });

    // The hold the page made is the user's, in the database.
    const mine = await t.http.get(`/v1/reservations/${reservation.id}`).set('Authorization', `Bearer ${t.token('alice')}`);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: reservation.id, status: 'held' });

    await live.scrollIntoViewIfNeeded();
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
