// The migrations, oldest first. `npm run migration:generate -- Name` writes a new file
// and appends it here; a landed migration is never edited.
import { CreateIdempotencyKeys1795000000000 } from './1795000000000-CreateIdempotencyKeys.js';
import { CreateCatalogInventoryReservations1795434285144 } from './1795434285144-CreateCatalogInventoryReservations.js';
import { PaymentsWebhooksAndStepwiseIdempotency1795435755752 } from './1795435755752-PaymentsWebhooksAndStepwiseIdempotency.js';
export const migrations = [
    CreateIdempotencyKeys1795000000000,
    CreateCatalogInventoryReservations1795434285144,
    PaymentsWebhooksAndStepwiseIdempotency1795435755752,
];
//# sourceMappingURL=index.js.map