import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@holdfast/audit';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { JobsService } from '@holdfast/jobs';
import { OBJECT_STORE, type ObjectStore } from '@holdfast/object-store';
import type { AuthUser } from '../auth/auth-user';
import { InventoryService } from '../inventory/inventory.service';
import { ReservationsService } from '../reservations/reservations.service';
import { RentalsConfig } from './rentals.config';
import { RentalsRepository } from './rentals.repository';
import { invalidRentalStatus, RentalsService } from './rentals.service';
import type { Rental } from './rentals.types';
import { deleteReturnPhotos, readReturnUpload, returnUploadOptions } from './return-upload';
import { SETTLE_JOB } from './rental-settlement.job';
import { assessReturn, type FineKind, type Reading } from './settlement';
import { TELEMATICS, type Telematics } from './telematics.port';

/**
 * Returning a vehicle (DESIGN.md section 12, "Return"): the proofs are streamed to the
 * object store, the readings checked against telematics' (telematics wins), the return
 * assessed by the agreed policy, and the settlement (capture, fine charges) queued as a
 * job in the same transaction, so money moves if and only if the return was recorded.
 * Admins settle disputes and adjust fines here too.
 */
@Injectable()
export class RentalReturnService {
  private readonly logger = new Logger('RentalReturns');

  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: RentalsRepository,
    private readonly rentals: RentalsService,
    private readonly reservations: ReservationsService,
    private readonly inventory: InventoryService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly config: RentalsConfig,
    private readonly clock: Clock,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(TELEMATICS) private readonly telematics: Telematics,
  ) {}

  /** `POST /v1/rentals/{id}/return`: the renter returns the vehicle with proof. */
  async submit(user: AuthUser, id: string, request: IncomingMessage): Promise<Rental> {
    const rental = await this.rentals.rentalFor(user, id, { renterOnly: true });
    if (rental.rentalStatus !== 'in_progress') {
      throw invalidRentalStatus(
        rental.rentalStatus === 'not_started'
          ? 'The rental has not started: unlock the vehicle first'
          : `The vehicle was returned already (${rental.rentalStatus})`,
      );
    }
    const returnedAt = this.clock.now();
    const upload = await readReturnUpload(
      request,
      this.store,
      returnUploadOptions(this.config, `rentals/${id}/return/${returnedAt.getTime()}`),
    );
    const { fields, photos } = upload;
    const telematics = await this.lastLock(rental);
    const customer: Reading = { odometerKm: fields.odometerKm, energyLevelPercent: fields.energyLevelPercent };
    const assessment = assessReturn(rental.policy, {
      dueAt: rental.returnAt,
      returnedAt,
      days: rental.days,
      pickup: { odometerKm: rental.pickupOdometerKm, energyLevelPercent: rental.pickupEnergyPercent },
      customer,
      telematics,
      photos: photos.length,
      minPhotos: this.config.returnMinPhotos,
    });
    const recorded = await this.txHost.run(async () => {
      const locked = await this.repo.find(id, true);
      if (locked?.rentalStatus !== 'in_progress') return false; // a concurrent return won
      await this.repo.recordReturn(id, {
        returnedAt,
        odometerKm: assessment.returned.odometerKm,
        energyPercent: assessment.returned.energyLevelPercent,
        readingSource: assessment.returned.source,
        customerOdometerKm: fields.odometerKm,
        customerEnergyPercent: fields.energyLevelPercent,
        latitude: fields.latitude,
        longitude: fields.longitude,
        notes: fields.notes ?? null,
        photos: photos.map(({ key, sha256, size, contentType }) => ({ key, sha256, size, contentType })),
        disputes: assessment.disputes,
        status: assessment.disputes.length > 0 ? 'return_disputed' : 'returned',
      });
      for (const fine of assessment.fines) await this.repo.setFine(id, fine.kind, fine.amount, fine.reason, 'automatic');
      await this.reservations.recordEvent(id, assessment.disputes.length > 0 ? 'rental_return_disputed' : 'rental_returned', {
        disputes: assessment.disputes,
        fines: assessment.fines.map((f) => ({ kind: f.kind, amount: f.amount })),
      });
      await this.jobs.enqueue(SETTLE_JOB, { reservationId: id }, { singletonKey: `settle:${id}:${returnedAt.getTime()}` });
      return true;
    });
    if (!recorded) {
      // Another return of this rental was recorded first: these proofs belong to nothing.
      await deleteReturnPhotos(this.store, photos);
      throw invalidRentalStatus('The vehicle was returned already');
    }
    return (await this.repo.find(id))!;
  }

  /**
   * `POST /v1/admin/rentals/{id}/verification`: an admin settles a disputed return
   * (`approve`: the fines as they stand are owed and the rental completes; `reject`:
   * it stays disputed with the note, e.g. while damage is assessed). Audited.
   */
  async verify(admin: AuthUser, id: string, decision: 'approve' | 'reject', note: string | null): Promise<Rental> {
    const rental = await this.rentals.rentalFor(admin, id);
    await this.txHost.run(async () => {
      const locked = await this.repo.find(id, true);
      if (locked?.rentalStatus !== 'return_disputed' && locked?.rentalStatus !== 'returned') {
        throw invalidRentalStatus(`Only a returned rental can be verified (this one is ${locked?.rentalStatus})`);
      }
      const status = decision === 'approve' ? 'returned' : 'return_disputed';
      await this.repo.recordVerification(id, admin.sub, note, status);
      await this.audit.record({
        actor: admin.sub,
        action: 'rental.verification',
        recordType: 'rental',
        recordId: id,
        before: { rentalStatus: rental.rentalStatus },
        after: { rentalStatus: status, decision, note },
      });
      if (decision === 'approve' && locked.rentalStatus === 'return_disputed') {
        await this.reservations.recordEvent(id, 'rental_returned', { verifiedBy: admin.sub });
      }
      if (decision === 'approve') await this.jobs.enqueue(SETTLE_JOB, { reservationId: id });
    });
    return (await this.repo.find(id))!;
  }

  /**
   * `PUT /v1/admin/rentals/{id}/fines/{kind}`: sets what a fine is (lowered: the
   * difference is waived; raised after capture: a new charge; lowered after capture: a
   * partial refund; both by the settlement job). Audited.
   */
  async setFine(admin: AuthUser, id: string, kind: FineKind, amount: number, reason: string): Promise<Rental> {
    await this.rentals.rentalFor(admin, id);
    await this.txHost.run(async () => {
      const locked = await this.repo.find(id, true);
      if (!locked || locked.rentalStatus === 'not_started' || locked.rentalStatus === 'in_progress') {
        throw invalidRentalStatus('Fines are set once the vehicle is returned');
      }
      const before = (await this.repo.fines(id)).find((f) => f.kind === kind) ?? null;
      await this.repo.setFine(id, kind, amount, reason, admin.sub);
      await this.audit.record({
        actor: admin.sub,
        action: 'rental.fine',
        recordType: 'rental',
        recordId: id,
        before: before ? { kind, amount: before.amountCents, reason: before.reason } : null,
        after: { kind, amount, reason },
      });
      // A disputed return waits for the verdict; anything settled is brought in line now.
      if (locked.rentalStatus !== 'return_disputed') await this.jobs.enqueue(SETTLE_JOB, { reservationId: id });
    });
    return (await this.repo.find(id))!;
  }

  /** Telematics' readings at the last lock, or null when it has none or cannot say (the customer's then count). */
  private async lastLock(rental: Rental): Promise<Reading | null> {
    const unit = await this.inventory.getUnit(rental.unitId);
    try {
      const lock = await this.telematics.lastLock(unit?.fleetVehicleId ?? rental.unitId);
      // A lock from before this rental's first unlock says nothing about this rental.
      if (!lock || !rental.startedAt || lock.lockedAt < rental.startedAt) return null;
      return { odometerKm: lock.odometerKm, energyLevelPercent: lock.energyLevelPercent };
    } catch (error) {
      this.logger.warn(
        { err: error, reservationId: rental.reservationId },
        'telematics could not give the last lock; the customer readings count',
      );
      return null;
    }
  }
}
