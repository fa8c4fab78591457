import { IdempotencyKeyEntity } from '../../libs/idempotency/src/index.js';
import { OfferingEntity } from '../catalog/offering.entity.js';
import { AllocationEntity } from '../inventory/allocation.entity.js';
import { RentalUnitEntity } from '../inventory/rental-unit.entity.js';
import { StockItemEntity } from '../inventory/stock-item.entity.js';
import { TimeSlotEntity } from '../inventory/time-slot.entity.js';
import { PaymentCustomerEntity } from '../payments/payment-customer.entity.js';
import { PaymentEntity } from '../payments/payment.entity.js';
import { RefundEntity } from '../payments/refund.entity.js';
import { SavedPaymentMethodEntity } from '../payments/saved-payment-method.entity.js';
import { ReservationItemEntity } from '../reservations/reservation-item.entity.js';
import { ReservationEntity } from '../reservations/reservation.entity.js';
import { WebhookEventEntity } from '../webhooks/webhook-event.entity.js';
/**
 * Every entity of the app, for the data source the app and the migration CLI share.
 * A module adds its entities here when it arrives.
 */
export const entities = [
    IdempotencyKeyEntity,
    OfferingEntity,
    TimeSlotEntity,
    StockItemEntity,
    RentalUnitEntity,
    AllocationEntity,
    ReservationEntity,
    ReservationItemEntity,
    PaymentEntity,
    RefundEntity,
    PaymentCustomerEntity,
    SavedPaymentMethodEntity,
    WebhookEventEntity,
];
//# sourceMappingURL=entities.js.map