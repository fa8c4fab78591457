import type { AppConfig } from '../config/app-config';

/** What the inventory module reads from the validated environment (src/config/config-slices.ts provides it). */
export class InventoryConfig {
  /** IMS_MODE: `simulated` (in-process IMS, the embedded default) or `http` (a real IMS). */
  readonly imsMode: 'simulated' | 'http';
  /** IMS_BASE_URL: the IMS's origin and path prefix (validated present when the mode is `http`). */
  readonly imsBaseUrl: string | null;
  /** IMS_API_KEY: the key sent as X-Api-Key (the first entry of a comma-separated list). */
  readonly imsApiKey: string | null;
  /** IMS_RELEASE: the IMS serves DELETE /inventory/reservations/{id}. */
  readonly imsRelease: boolean;
  /** IMS_TIMEOUT_MS: per HTTP attempt. */
  readonly imsTimeoutMs: number;
  /** IMS_CLIENT_CERT_FILE, IMS_CLIENT_KEY_FILE, IMS_CA_FILE: mTLS files, read at start-up. */
  readonly imsTls: { certFile: string | null; keyFile: string | null; caFile: string | null };
  /** IMS_SIMULATED_SEED: what the simulated IMS starts with. */
  readonly imsSimulatedSeed: readonly { itemId: string; stock?: number; units?: number }[];

  constructor(env: AppConfig) {
    this.imsMode = env.IMS_MODE as InventoryConfig['imsMode'];
    this.imsBaseUrl = env.IMS_BASE_URL ?? null;
    this.imsApiKey =
      (env.IMS_API_KEY ?? '')
        .split(',')
        .map((key) => key.trim())
        .find((key) => key !== '') ?? null;
    this.imsRelease = env.IMS_RELEASE;
    this.imsTimeoutMs = env.IMS_TIMEOUT_MS;
    this.imsTls = Object.freeze({
      certFile: env.IMS_CLIENT_CERT_FILE ?? null,
      keyFile: env.IMS_CLIENT_KEY_FILE ?? null,
      caFile: env.IMS_CA_FILE ?? null,
    });
    this.imsSimulatedSeed = Object.freeze(
      (env.IMS_SIMULATED_SEED ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry) => {
          const [itemId, what] = entry.split('=');
          const [kind, count] = what.split(':');
          return kind === 'stock' ? { itemId, stock: Number(count) } : { itemId, units: Number(count) };
        }),
    );
  }
}
