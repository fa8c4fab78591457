import type { AppConfig } from '../config/app-config';

/** What the rentals module reads from the validated environment (src/config/config-slices.ts provides it). */
export class RentalsConfig {
  /** TELEMATICS_MODE: `simulated` (an in-process fleet, the development default) or `http` (docs/telematics.md). */
  readonly telematicsMode: 'http' | 'simulated';
  /** TELEMATICS_API_URL: the telematics API's base URL (validated present when the mode is `http`). */
  readonly telematicsApiUrl: string | null;
  /** TELEMATICS_API_KEY: sent as X-Api-Key. */
  readonly telematicsApiKey: string | null;
  /** TELEMATICS_TIMEOUT_MS: the whole budget of one telematics call, its retries included. */
  readonly telematicsTimeoutMs: number;
  /** RETURN_PHOTO_MAX_BYTES: the largest return photo. */
  readonly returnPhotoMaxBytes: number;
  /** RETURN_UPLOAD_MAX_BYTES: the largest return upload, photos and fields together. */
  readonly returnUploadMaxBytes: number;
  /** RETURN_MIN_PHOTOS: photos a return needs at least. */
  readonly returnMinPhotos: number;
  /** RENTAL_UNLOCK_EARLY_MINUTES: how long before pickup the renter may first unlock (DESIGN.md: 30). */
  readonly unlockEarlyMinutes: number;
  /** RENTAL_AUTH_LEAD_DAYS: a scheduled booking is authorised off-session this many days before pickup. */
  readonly rentalAuthLeadDays: number;

  constructor(env: AppConfig) {
    this.telematicsMode = env.TELEMATICS_MODE as RentalsConfig['telematicsMode'];
    this.telematicsApiUrl = env.TELEMATICS_API_URL ?? null;
    this.telematicsApiKey = env.TELEMATICS_API_KEY ?? null;
    this.telematicsTimeoutMs = env.TELEMATICS_TIMEOUT_MS;
    this.returnPhotoMaxBytes = env.RETURN_PHOTO_MAX_BYTES;
    this.returnUploadMaxBytes = env.RETURN_UPLOAD_MAX_BYTES;
    this.returnMinPhotos = env.RETURN_MIN_PHOTOS;
    this.unlockEarlyMinutes = env.RENTAL_UNLOCK_EARLY_MINUTES;
    this.rentalAuthLeadDays = env.RENTAL_AUTH_LEAD_DAYS;
  }
}
