import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '@holdfast/clock';
import { RecurringPass } from '@holdfast/database';
import { type JobPolicy, JobsService } from '@holdfast/jobs';
import { type AuthorizationSchedule, AuthorizationSchedulePort } from '../payments/authorization-schedule.port';
import { PaymentsService } from '../payments/payments.service';
import { AUTHORIZE_JOB, DEADLINE_JOB, MoneyScheduleService, RENEW_JOB } from './money-schedule.service';
import { SETTLE_JOB } from './rental-settlement.job';
import { RentalsRepository } from './rentals.repository';
import { RentalsService } from './rentals.service';

/** Each step calls the provider once or twice: retried with backoff, then left on the dead-letter list. */
const POLICY: JobPolicy = { retryLimit: 8, retryDelaySeconds: 60, retryBackoff: true, expireInSeconds: 300 };
const PASS_NAME = 'rental-money-schedule';
/** The safety pass: a job lost (a restore, a dead-lettered attempt) is made good within this. */
export const SCHEDULE_PASS_MINUTES = 15;
const PASS_BATCH = 500;

/**
 * The vehicle money schedule's wiring (the steps are MoneyScheduleService's):
 *
 * - the jobs: `rentals-authorize`, `rentals-renew`, `rentals-action-deadline`;
 * - payments' AuthorizationSchedule port: a card set up for a scheduled booking queues
 *   its authorisation (startAfter = pickup - RENTAL_AUTH_LEAD_DAYS), an authorisation
 *   that lands queues a look at its renewal; both inside the transaction that recorded
 *   the change, so the job exists if and only if it committed;
 * - a recurring safety pass every SCHEDULE_PASS_MINUTES on each replica, for rentals
 *   not yet returned: a scheduled authorisation due, a deadline passed, a renewal due.
 *   Every step is idempotent and serialised per reservation, so replicas may overlap.
 */
@Injectable()
export class MoneyScheduleJob implements AuthorizationSchedule, OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MoneySchedule');
  private readonly recurring = new RecurringPass(this.scheduler, PASS_NAME, this.logger);

  constructor(
    private readonly jobs: JobsService,
    private readonly schedule: MoneyScheduleService,
    private readonly port: AuthorizationSchedulePort,
    private readonly rentals: RentalsService,
    private readonly repo: RentalsRepository,
    private readonly payments: PaymentsService,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.port.register(this);
    await this.jobs.register<{ reservationId: string }>(AUTHORIZE_JOB, (d) => this.schedule.authorize(d.reservationId), POLICY);
    await this.jobs.register<{ reservationId: string }>(RENEW_JOB, (d) => this.schedule.renew(d.reservationId), POLICY);
    await this.jobs.register<{ reservationId: string }>(DEADLINE_JOB, (d) => this.schedule.deadline(d.reservationId), POLICY);
  }

  onApplicationBootstrap(): void {
    this.recurring.start(SCHEDULE_PASS_MINUTES * 60_000, () => this.pass());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.recurring.stop();
  }

  /** The port: a scheduled booking is confirmed (caller's transaction). Its rental is written now, its authorisation queued. */
  async cardSetUp(reservationId: string): Promise<void> {
    const rental = await this.rentals.get(reservationId);
    if (!rental) return;
    const at = this.schedule.authorizeAt(rental);
    await this.jobs.enqueue(AUTHORIZE_JOB, { reservationId }, { startAfterSeconds: this.schedule.secondsUntil(at) });
  }

  /** The port: an authorisation landed (caller's transaction): look at its renewal once it has committed. */
  async authorized(reservationId: string): Promise<void> {
    await this.jobs.enqueue(RENEW_JOB, { reservationId });
  }

  /**
   * The port: a fine charge went through (caller's transaction). A settlement pass follows
   * once it has committed: a rental left `returned` for want of it completes, and a charge
   * still open elsewhere is withdrawn. Once per charge (its singleton key); a pass that
   * finds nothing to do is harmless.
   */
  async finePaid(reservationId: string, paymentId: string): Promise<void> {
    await this.jobs.enqueue(SETTLE_JOB, { reservationId }, { singletonKey: `settle:fine-paid:${paymentId}` });
  }

  /**
   * One safety pass over the rentals not yet returned: whatever step is due now runs
   * (authorise, cancel at the deadline, renew); a step that fails is logged and left to
   * its job or the next pass. Returns how many rentals it looked at.
   */
  async pass(): Promise<number> {
    const now = this.clock.nowMs();
    const rentals = await this.repo.scheduleCandidates(new Date(now), PASS_BATCH);
    const money = await this.payments.forReservations(rentals.map((r) => r.reservationId));
    for (const rental of rentals) {
      const id = rental.reservationId;
      try {
        const status = money.get(id)!.paymentStatus;
        const notStarted = rental.rentalStatus === 'not_started';
        if (notStarted && status === 'requires_action' && now >= this.schedule.actionDeadline(rental).getTime()) {
          await this.schedule.deadline(id);
        } else if (notStarted && (status === 'scheduled' || status === 'requires_action')) {
          if (now >= this.schedule.authorizeAt(rental).getTime()) await this.schedule.authorize(id);
        } else if (status === 'authorized') {
          await this.schedule.renew(id, { fromPass: true });
        }
      } catch (error) {
        this.logger.warn({ err: error, reservationId: id }, 'money schedule step failed; its job or the next pass retries');
      }
    }
    return rentals.length;
  }
}
