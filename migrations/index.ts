// The migrations, oldest first. `npm run migration:generate -- Name` writes a new file
// and appends it here; a landed migration is never edited.
import { CreateIdempotencyKeys1795000000000 } from './1795000000000-CreateIdempotencyKeys';
import { CreateCatalogInventoryReservations1795434285144 } from './1795434285144-CreateCatalogInventoryReservations';
import { PaymentsWebhooksAndStepwiseIdempotency1795435755752 } from './1795435755752-PaymentsWebhooksAndStepwiseIdempotency';
import { PaymentsProviderEventAt1795452000000 } from './1795452000000-PaymentsProviderEventAt';
import { PaymentsNextActionType1795460000000 } from './1795460000000-PaymentsNextActionType';
import { PaymentsStuckReason1795463117000 } from './1795463117000-PaymentsStuckReason';
import { JobClaims1795470000000 } from './1795470000000-JobClaims';
import { CreateOutboxEvents1795480000000 } from './1795480000000-CreateOutboxEvents';
import { CreateAuditLog1795481000000 } from './1795481000000-CreateAuditLog';
import { CreateSupportCases1795481000001 } from './1795481000001-CreateSupportCases';
import { CreateFeatureFlags1795481000002 } from './1795481000002-CreateFeatureFlags';
import { CreateNotifications1795482000000 } from './1795482000000-CreateNotifications';
import { CreateTaxRates1795482000100 } from './1795482000100-CreateTaxRates';
import { CreateShippingRates1795482000200 } from './1795482000200-CreateShippingRates';
import { OfferingsWeightAndInventorySource1795482000300 } from './1795482000300-OfferingsWeightAndInventorySource';
import { ReservationShippingAndTax1795482000400 } from './1795482000400-ReservationShippingAndTax';
import { CreateExternalAllocations1795482000500 } from './1795482000500-CreateExternalAllocations';
import { VehicleOfferingsAndUnits1795568000100 } from './1795568000100-VehicleOfferingsAndUnits';
import { CreateRentals1795568000300 } from './1795568000300-CreateRentals';
import { RentalEvents1795568000500 } from './1795568000500-RentalEvents';
import { FleetEvents1795650000100 } from './1795650000100-FleetEvents';
import { CreateCustomerVerifications1795568000200 } from './1795568000200-CreateCustomerVerifications';
import { VehicleMoneySchedule1795568000400 } from './1795568000400-VehicleMoneySchedule';
import { ReservationsCreatedIndex1795650000200 } from './1795650000200-ReservationsCreatedIndex';
import { RevenueReportIndexes1795650000300 } from './1795650000300-RevenueReportIndexes';

export const migrations = [
  CreateIdempotencyKeys1795000000000,
  CreateCatalogInventoryReservations1795434285144,
  PaymentsWebhooksAndStepwiseIdempotency1795435755752,
  PaymentsProviderEventAt1795452000000,
  PaymentsNextActionType1795460000000,
  PaymentsStuckReason1795463117000,
  JobClaims1795470000000,
  CreateOutboxEvents1795480000000,
  CreateAuditLog1795481000000,
  CreateSupportCases1795481000001,
  CreateFeatureFlags1795481000002,
  CreateNotifications1795482000000,
  CreateTaxRates1795482000100,
  CreateShippingRates1795482000200,
  OfferingsWeightAndInventorySource1795482000300,
  ReservationShippingAndTax1795482000400,
  CreateExternalAllocations1795482000500,
  VehicleOfferingsAndUnits1795568000100,
  CreateCustomerVerifications1795568000200,
  CreateRentals1795568000300,
  VehicleMoneySchedule1795568000400,
  RentalEvents1795568000500,
  FleetEvents1795650000100,
  ReservationsCreatedIndex1795650000200,
  RevenueReportIndexes1795650000300,
];
