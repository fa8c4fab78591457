import { Injectable } from '@nestjs/common';
import { NotificationsService } from '../notifications/notifications.service';
import type { EmailLine, EmailTemplate, ReservationEmailData } from '../notifications/notifications.types';
import { ReservationQueries } from './reservation-queries';

/**
 * The emails a reservation's changes send (DESIGN.md section 13): confirmed, cancelled
 * (a confirmed booking), refunded, payment failed. Not a hold's expiry or a user's own
 * cancellation of an unpaid hold: the app already shows those, and mail about them is
 * noise. Called in the transaction of the change, right after it, so the email's job
 * exists if and only if the change commits.
 */
@Injectable()
export class ReservationEmails {
  constructor(
    private readonly queries: ReservationQueries,
    private readonly notifications: NotificationsService,
  ) {}

  /** `extra`: what a module built on the booking adds (a rental's settlement). */
  async queue(template: EmailTemplate, reservationId: string, extra: Partial<ReservationEmailData> = {}): Promise<void> {
    const details = await this.queries.details(reservationId);
    if (!details?.record.guestEmail) return;
    const { record, items, money } = details;
    const lines = items.map(({ item, offering, slot }): EmailLine => ({
      title: offering.title,
      quantity: item.quantity,
      ...(slot ? { startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString() } : {}),
      ...(item.startDate && item.endDate ? { startDate: item.startDate, endDate: item.endDate } : {}),
    }));
    const refundCents = money.refunds.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
    await this.notifications.queueEmail({
      template,
      to: record.guestEmail,
      userId: record.userId,
      reservationId,
      data: {
        guestName: record.guestName,
        reference: record.reference,
        lines,
        totalCents: record.totalCents,
        currency: record.currency.trim(),
        refundCents,
        ...(template === 'payment_failed' ? { holdExpiresAt: record.holdExpiresAt.toISOString() } : {}),
        ...(template === 'order_shipped' && record.shipmentCarrier && record.trackingNumber
          ? { shipment: { carrier: record.shipmentCarrier, trackingNumber: record.trackingNumber } }
          : {}),
        ...extra,
      },
    });
  }
}
