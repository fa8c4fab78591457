import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { rentalPeriod } from '../catalog/rental-policy';
import { InventoryService } from '../inventory/inventory.service';
import { PaymentsService } from '../payments/payments.service';
import { type BookingFacts, ReservationsService } from '../reservations/reservations.service';
import type { RentalDto } from './dto/rental.dto';
import { payableCharge, rentalMoney } from './rental-money';
import { RentalsConfig } from './rentals.config';
import { RentalsRepository } from './rentals.repository';
import type { AgreedPolicy, Rental, RentalFine, RentalStatus } from './rentals.types';
import { TELEMATICS, type Telematics, TelematicsError } from './telematics.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const rentalNotFound = () => new AppError('RESERVATION_NOT_FOUND', 'No vehicle rental with this id is yours');
export const invalidRentalStatus = (why: string) => new AppError('INVALID_RENTAL_STATUS', why);

/**
 * A vehicle rental's life from the first unlock (DESIGN.md section 12). The rental row is
 * written from its booking the first time it is needed (the booking's module knows
 * nothing of rentals): the agreed price, deposit and policy, the unit, and the pickup and
 * return times in the offering's zone.
 */
@Injectable()
export class RentalsService {
  private readonly logger = new Logger('Rentals');

  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: RentalsRepository,
    private readonly reservations: ReservationsService,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
    private readonly clock: Clock,
    private readonly config: RentalsConfig,
    @Inject(TELEMATICS) private readonly telematics: Telematics,
  ) {}

  /**
   * The rental of a confirmed vehicle booking the user may see (theirs; admins: any),
   * written on first use. RESERVATION_NOT_FOUND for anything else, so ids of other
   * users' bookings reveal nothing.
   */
  async rentalFor(user: AuthUser, id: string, options: { renterOnly?: boolean } = {}): Promise<Rental> {
    if (!UUID.test(id)) throw rentalNotFound();
    const rental = (await this.repo.find(id)) ?? (await this.create(id));
    if (!rental) throw rentalNotFound();
    const mayAct = rental.userId === user.sub || (!options.renterOnly && user.roles.includes('admin'));
    if (!mayAct) throw rentalNotFound();
    await this.recordAuthorization(id);
    return rental;
  }

  /** The rental as it stands now (no ownership check: for admin and internal callers). */
  async get(id: string): Promise<Rental | null> {
    if (!UUID.test(id)) return null;
    return (await this.repo.find(id)) ?? (await this.create(id));
  }

  /** Rentals not yet completed, soonest pickup first (the admin dashboard's `activeRentals`). */
  async listActive(
    filter: { status?: RentalStatus; userId?: string },
    limit: number,
    offset: number,
  ): Promise<{ rentals: Rental[]; total: number }> {
    return this.repo.listActive(filter, limit, offset);
  }

  /** The fines of each rental given, as they stand (what is owed, what was assessed, who set it), in one query. */
  async finesOf(ids: string[]): Promise<Map<string, RentalFine[]>> {
    const out = new Map<string, RentalFine[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    for (const { reservationId, ...fine } of await this.repo.finesFor(ids)) out.get(reservationId)?.push(fine);
    return out;
  }

  /**
   * `POST /v1/rentals/{id}/unlock`: the renter opens the vehicle, from 30 minutes before
   * pickup to the return time, while the booking is confirmed and authorised and the
   * vehicle is neither in maintenance nor out of service. The first unlock starts the
   * rental with telematics' readings as the pickup reading; later ones open it again.
   */
  async unlock(user: AuthUser, id: string): Promise<Rental> {
    const rental = await this.rentalFor(user, id, { renterOnly: true });
    const now = this.clock.now();
    if (rental.rentalStatus !== 'not_started' && rental.rentalStatus !== 'in_progress') {
      throw invalidRentalStatus(`The rental is ${rental.rentalStatus}: it can no longer be unlocked`);
    }
    const opensAt = new Date(rental.pickupAt.getTime() - this.config.unlockEarlyMinutes * 60_000);
    if (now < opensAt) throw invalidRentalStatus(`The vehicle can be unlocked from ${opensAt.toISOString()}`);
    if (now > rental.returnAt) throw invalidRentalStatus('The rental period is over: the vehicle can no longer be unlocked');
    const booking = await this.reservations.booking(id);
    if (booking?.reservation.status !== 'confirmed') {
      throw invalidRentalStatus(`The booking is ${booking?.reservation.status ?? 'unknown'}, not confirmed`);
    }
    const money = (await this.payments.forReservations([id])).get(id)!;
    if (money.paymentStatus !== 'authorized') {
      throw invalidRentalStatus(`The payment is ${money.paymentStatus}: the vehicle unlocks once it is authorised`);
    }
    const unit = await this.inventory.getUnit(rental.unitId);
    if (!unit || unit.fleetStatus === 'maintenance' || unit.fleetStatus === 'out_of_service') {
      throw new AppError('VEHICLE_UNAVAILABLE', `The vehicle is ${unit?.fleetStatus ?? 'gone'}; support has been told`);
    }
    // Fleet maintenance displaced the booking before pickup (docs/fleet.md): the van is blocked, support has a case.
    const [allocated] = await this.inventory.unitsOfReservation(id);
    if (rental.rentalStatus === 'not_started' && allocated?.allocationState === 'released') {
      throw new AppError('VEHICLE_UNAVAILABLE', 'Maintenance took this vehicle for your dates; support will contact you');
    }
    let opened: Awaited<ReturnType<Telematics['unlock']>>;
    try {
      opened = await this.telematics.unlock(unit.fleetVehicleId ?? unit.id, {
        idempotencyKey: `unlock-${id}-${rental.unlocks + 1}`,
      });
    } catch (error) {
      if (error instanceof TelematicsError) {
        this.logger.warn({ reservationId: id, kind: error.kind }, 'unlock failed at telematics');
        throw new AppError('UNLOCK_FAILED', 'The vehicle did not unlock; try again in a moment');
      }
      throw error;
    }
    await this.txHost.run(async () => {
      const locked = await this.repo.find(id, true);
      if (!locked || (locked.rentalStatus !== 'not_started' && locked.rentalStatus !== 'in_progress')) {
        throw invalidRentalStatus(`The rental is ${locked?.rentalStatus}: it can no longer be unlocked`);
      }
      await this.repo.recordUnlock(id, now, opened);
      if (locked.rentalStatus === 'not_started') {
        await this.reservations.recordEvent(id, 'rental_in_progress', {
          unitId: locked.unitId,
          odometerKm: opened.odometerKm,
          energyLevelPercent: opened.energyLevelPercent,
        });
      }
    });
    return (await this.repo.find(id))!;
  }

  /**
   * The rental as `GET /v1/rentals/{id}` shows it: state, readings, proofs, fines and money.
   * `payOwed` (a declined fine charge's client secret) only for `viewer` the renter: the
   * secret lets whoever holds it pay, so admins and other callers see null.
   */
  async view(rental: Rental, viewer: AuthUser | null = null): Promise<RentalDto> {
    const [unit, fines, payments, booking] = await this.txHost.all([
      () => this.inventory.getUnit(rental.unitId),
      () => this.repo.fines(rental.reservationId),
      () => this.payments.allFor(rental.reservationId),
      () => this.reservations.booking(rental.reservationId),
    ]);
    const calledOff = booking?.reservation.status === 'cancelled' || booking?.reservation.status === 'refunded';
    const money = rentalMoney(rental, fines, payments, { void: calledOff });
    const payable = viewer?.sub === rental.userId ? payableCharge(payments, money.owed) : null;
    return {
      id: rental.reservationId,
      rentalStatus: rental.rentalStatus,
      vehicle: { unitId: rental.unitId, plate: unit?.plate ?? null, model: unit?.model ?? null },
      pickupAt: rental.pickupAt.toISOString(),
      returnAt: rental.returnAt.toISOString(),
      startedAt: rental.startedAt?.toISOString() ?? null,
      returnedAt: rental.returnedAt?.toISOString() ?? null,
      pickupReading: { odometerKm: rental.pickupOdometerKm, energyLevelPercent: rental.pickupEnergyPercent },
      returnReading: {
        odometerKm: rental.returnOdometerKm,
        energyLevelPercent: rental.returnEnergyPercent,
        source: rental.returnReadingSource,
      },
      photos: rental.photos.map(({ sha256, size, contentType }) => ({ sha256, size, contentType })),
      disputes: rental.disputes,
      fines: fines.map((f) => ({
        kind: f.kind,
        amount: f.amountCents,
        assessed: f.assessedCents,
        reason: f.reason,
        setBy: f.setBy,
      })),
      money,
      payOwed: payable && { ...payable, clientSecretType: 'payment_intent' },
    };
  }

  /**
   * Makes sure the booking's open authorisations have their `capture_before` recorded
   * (schedules run from it); reads the provider only for one that lacks it.
   */
  private async recordAuthorization(id: string): Promise<void> {
    const booking = (await this.payments.allFor(id)).filter((p) => p.purpose !== 'fine' && p.status === 'requires_capture');
    for (const payment of booking) {
      await this.payments.authorizationFacts(payment.paymentId).catch((error: unknown) => {
        this.logger.warn({ err: error, reservationId: id }, 'could not read the authorisation from the provider');
      });
    }
  }

  /**
   * The fleet moved the booking's vehicle to another unit (maintenance, DESIGN.md section
   * 12): a rental already written follows it while it has not started. Caller's transaction.
   */
  async vehicleMoved(reservationId: string, unitId: string): Promise<void> {
    await this.repo.moveUnit(reservationId, unitId);
  }

  /** Writes the rental of a confirmed vehicle booking, or returns null when `id` is no such booking. */
  private async create(id: string): Promise<Rental | null> {
    return this.txHost.run(async () => {
      const booking = await this.reservations.booking(id, true);
      if (!booking || !['confirmed', 'completed', 'cancelled', 'refunded'].includes(booking.reservation.status)) return null;
      const facts = await this.vehicleFacts(booking);
      if (!facts) return null;
      await this.repo.insert(facts);
      return this.repo.find(id);
    });
  }

  /** The rental terms of a booking of one vehicle, or null when it books no vehicle. */
  private async vehicleFacts(booking: BookingFacts) {
    const item = booking.items.find((i) => i.kind === 'rental' && i.startDate && i.endDate);
    if (!item) return null;
    const offering = (await this.catalog.getOfferings([item.offeringId])).get(item.offeringId);
    if (!offering?.vehicle || !offering.rentalPolicy) return null;
    const unit = await this.inventory.unitForReservationItem(item.id);
    if (!unit) return null;
    const policy = offering.rentalPolicy as AgreedPolicy;
    const { pickupAt, returnAt } = rentalPeriod(item.startDate!, item.endDate!, policy);
    const days = Math.max(1, Math.round((Date.parse(item.endDate!) - Date.parse(item.startDate!)) / 86_400_000));
    return {
      reservationId: booking.reservation.id,
      userId: booking.reservation.userId,
      offeringId: offering.id,
      unitId: unit.unit.id,
      currency: booking.reservation.currency.trim(),
      priceCents: booking.reservation.totalCents,
      depositCents: policy.deposit,
      policy,
      pickupAt,
      returnAt,
      days,
    };
  }
}
