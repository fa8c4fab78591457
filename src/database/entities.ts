import { IdempotencyKeyEntity } from '@holdfast/idempotency';
import { OfferingEntity } from '../catalog/offering.entity';
import { AllocationEntity } from '../inventory/allocation.entity';
import { RentalUnitEntity } from '../inventory/rental-unit.entity';
import { StockItemEntity } from '../inventory/stock-item.entity';
import { TimeSlotEntity } from '../inventory/time-slot.entity';
import { PaymentCustomerEntity } from '../payments/payment-customer.entity';
import { PaymentEntity } from '../payments/payment.entity';
import { RefundEntity } from '../payments/refund.entity';
import { SavedPaymentMethodEntity } from '../payments/saved-payment-method.entity';
import { ReservationItemEntity } from '../reservations/reservation-item.entity';
import { ReservationEntity } from '../reservations/reservation.entity';
import { WebhookEventEntity } from '../webhooks/webhook-event.entity';

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
