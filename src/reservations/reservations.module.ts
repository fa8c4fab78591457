import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PaymentsModule } from '../payments/payments.module';
import { ShippingModule } from '../shipping/shipping.module';
import { SupportModule } from '../support/support.module';
import { TaxModule } from '../tax/tax.module';
import { AdminReservationsController } from './admin-reservations.controller';
import { BookingRecordsRepository } from './booking-records.repository';
import { BookingRecordsService } from './booking-records.service';
import { CheckoutService } from './checkout.service';
import { HoldExpiryJob } from './hold-expiry.job';
import { HoldLines } from './hold-lines';
import { ImsConfirmationJob } from './ims-confirmation.job';
import { ReservationPaymentOutcomes } from './payment-outcome.adapter';
import { ReservationAttentionRepository } from './reservation-attention.repository';
import { ReservationAttentionService } from './reservation-attention.service';
import { ReservationEmails } from './reservation-emails';
import { ReservationMetrics } from './reservation-metrics';
import { ReservationQueries } from './reservation-queries';
import { ReservationShipping } from './reservation-shipping';
import { ReservationsController } from './reservations.controller';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';
import { Seed002Bookings } from './seed002-bookings.service';
import { Seed002ReservationsController } from './seed002-reservations.controller';
import { VehicleCheckout } from './vehicle-checkout';

/** Holds and reservations: the booking flow of DESIGN.md section 4. */
@Module({
  imports: [
    CatalogModule,
    InventoryModule,
    PaymentsModule,
    NotificationsModule,
    ShippingModule,
    TaxModule,
    SupportModule,
    CustomersModule,
  ],
  controllers: [ReservationsController, AdminReservationsController, Seed002ReservationsController],
  providers: [
    ReservationsRepository,
    HoldLines,
    ReservationsService,
    ReservationQueries,
    HoldExpiryJob,
    CheckoutService,
    ReservationPaymentOutcomes,
    ReservationMetrics,
    ReservationEmails,
    ReservationShipping,
    ImsConfirmationJob,
    Seed002Bookings,
    VehicleCheckout,
    ReservationAttentionRepository,
    ReservationAttentionService,
    BookingRecordsRepository,
    BookingRecordsService,
  ],
  exports: [ReservationsService, HoldExpiryJob, ReservationAttentionService, ReservationQueries, BookingRecordsService],
})
export class ReservationsModule {}
