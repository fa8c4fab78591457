import { IdempotencyKeyEntity } from '@holdfast/idempotency';

/**
 * Every entity of the app, for the data source the app and the migration CLI share.
 * A module adds its entities here when it arrives.
 */
export const entities = [IdempotencyKeyEntity];
