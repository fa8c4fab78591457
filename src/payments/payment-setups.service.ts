import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AuthorizationSchedulePort } from './authorization-schedule.port';
import { BookingPaymentOutcomesPort } from './booking-payment-outcomes.port';
import { PAYMENT_GATEWAY, PaymentGatewayError, type PaymentGateway, type SetupIntentSnapshot } from './payment-gateway';
import { PaymentMethodsService } from './payment-methods.service';
import { type PaymentSetup, PaymentSetupsRepository } from './payment-setups.repository';

export type { PaymentSetup, PaymentSetupStatus } from './payment-setups.repository';

/** Setups whose SetupIntent may still be completed by the customer (or is on its way). */
const OPEN_SETUP_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'];
const FINAL_SETUP_STATUSES = ['succeeded', 'canceled'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Cards saved for off-session use on a SetupIntent (DESIGN.md section 12, "Money"): a
 * vehicle booked further ahead than RENTAL_AUTH_LEAD_DAYS is not authorised at convert;
 * its card is set up (`clientSecretType: setup_intent`), the booking is confirmed with
 * `paymentStatus: scheduled` once the SetupIntent succeeds (through the outcome port, the
 * same confirmation as a payment's), and the rentals module authorises off-session later.
 * Local row first (key `seti:{setupId}`), then the provider; the webhook
 * (`setup_intent.*`), the confirm call and payment-status polling all apply through `apply`.
 */
@Injectable()
export class PaymentSetupsService {
  private readonly logger = new Logger('PaymentSetups');

  constructor(
    readonly txHost: TransactionHost,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly repo: PaymentSetupsRepository,
    private readonly outcomes: BookingPaymentOutcomesPort,
    private readonly schedule: AuthorizationSchedulePort,
    private readonly methods: PaymentMethodsService,
  ) {}

  /**
   * The setup a convert should use (caller's transaction, reservation locked): the
   * reservation's latest one if it can still go on as asked (never answered by the
   * provider; or open, and no card is given now), else a new row, committed before the
   * provider is called.
   */
  async open(input: { reservationId: string; userId: string; withCard: boolean }): Promise<PaymentSetup> {
    const last = await this.repo.latestFor(input.reservationId, true);
    const reusable =
      last !== null &&
      !last.failureCode &&
      (last.status === 'creating' ||
        last.status === 'succeeded' ||
        (!input.withCard && OPEN_SETUP_STATUSES.includes(last.status)));
    if (reusable) return last;
    return this.repo.insert({ reservationId: input.reservationId, userId: input.userId, provider: this.gateway.name });
  }

  /**
   * Makes sure the setup has its SetupIntent (created with key `seti:{setupId}`, so a retry
   * after a timeout finds the same one; confirmed at once with a saved card) and applies
   * the answer. A decline is recorded (the reservation becomes `payment_failed`, as a
   * declined payment) and rethrown. Runs outside any transaction.
   */
  async submit(setupId: string, options: { customerId: string; paymentMethodId?: string }): Promise<PaymentSetup> {
    const setup = await this.get(setupId);
    let si: SetupIntentSnapshot;
    try {
      si = setup.setupIntentId
        ? await this.gateway.retrieveSetupIntent(setup.setupIntentId)
        : await this.gateway.createSetupIntent({
            setupId,
            customerId: options.customerId,
            paymentMethodId: options.paymentMethodId,
            metadata: { setupId, reservationId: setup.reservationId },
          });
    } catch (error) {
      if (error instanceof PaymentGatewayError && error.setupIntent) {
        await this.applyOwn(setupId, error.setupIntent);
      } else if (error instanceof PaymentGatewayError && error.kind === 'card_declined') {
        await this.txHost.run(() => this.repo.markFailed(setupId, error.providerCode ?? 'card_declined'));
      }
      throw error;
    }
    await this.applyOwn(setupId, si);
    return this.get(setupId);
  }

  /** Asks the provider where a setup stands and applies it (the confirm call, payment-status polling). */
  async sync(setupId: string): Promise<PaymentSetup> {
    const setup = await this.get(setupId);
    if (!setup.setupIntentId || FINAL_SETUP_STATUSES.includes(setup.status)) return setup;
    await this.applyOwn(setupId, await this.gateway.retrieveSetupIntent(setup.setupIntentId));
    return this.get(setupId);
  }

  /** Syncs the reservation's latest setup if it is still open (the expiry sweep, before it expires a pending hold). */
  async syncOpen(reservationId: string): Promise<void> {
    const setup = await this.repo.latestFor(reservationId);
    if (setup?.setupIntentId && OPEN_SETUP_STATUSES.includes(setup.status)) await this.sync(setup.setupId);
  }

  /**
   * THE code path for what the provider says about a SetupIntent, in the caller's
   * transaction: records it on our row (found by `ownSetupId` for the answer to our own
   * call, else by SetupIntent id or the setup id our create call put in the metadata) and,
   * when the card is now set up, confirms the booking through the outcome port and tells
   * the schedule. State only moves forward (succeeded and canceled are final). Returns
   * false when no setup of ours matches (a SetupIntent someone else made: ignored).
   */
  async apply(si: SetupIntentSnapshot, ownSetupId?: string): Promise<boolean> {
    const byMetadata = si.metadata?.setupId;
    const setup = await this.repo.lockByIntent(
      ownSetupId ? null : si.id,
      ownSetupId ?? (typeof byMetadata === 'string' && UUID.test(byMetadata) ? byMetadata : null),
    );
    if (!setup) return false;
    if (setup.setupIntentId !== null && setup.setupIntentId !== si.id) {
      this.logger.error(
        { setupId: setup.setupId, setupIntentId: si.id },
        "a SetupIntent that is not this setup's: nothing applied",
      );
      return true;
    }
    if (FINAL_SETUP_STATUSES.includes(setup.status)) return true;
    const declined = si.status === 'requires_payment_method' && si.lastError !== null;
    await this.repo.apply(setup.setupId, {
      setupIntentId: si.id,
      status: si.status,
      customerId: si.customerId,
      paymentMethodId: si.paymentMethodId,
      clientSecret: si.clientSecret,
      nextActionType: si.status === 'requires_action' ? si.nextActionType : null,
      failureCode: declined ? (si.lastError?.declineCode ?? si.lastError?.code ?? 'card_declined') : null,
      failureMessage: declined ? (si.lastError?.message ?? null) : null,
    });
    const { reservationId, setupId } = setup;
    if (si.status === 'succeeded') {
      const outcome = await this.outcomes.paymentScheduled(reservationId, setupId);
      if (outcome.result === 'confirmed') await this.schedule.cardSetUp(reservationId);
      // Nothing was taken, so there is nothing to give back: the booking simply is not kept.
      else
        this.logger.warn(
          { reservationId, setupId, reason: outcome.reason },
          'a card was set up for a booking that cannot be kept',
        );
      const card = si.paymentMethodId;
      if (card) this.txHost.afterCommit(() => void this.keepCard(setup.userId, card));
    } else if (declined && !(setup.status === 'requires_payment_method' && setup.failureCode)) {
      await this.outcomes.paymentFailed(reservationId, setupId);
    } else if (si.status === 'requires_action' && setup.status !== 'requires_action') {
      await this.outcomes.paymentRequiresAction(reservationId, setupId);
    }
    return true;
  }

  /** The reservation's latest setup, or null. */
  async latestFor(reservationId: string): Promise<PaymentSetup | null> {
    return this.repo.latestFor(reservationId);
  }

  /** The setup behind a SetupIntent of a reservation, or null. */
  async findByIntent(reservationId: string, setupIntentId: string): Promise<PaymentSetup | null> {
    return this.repo.findByReservationAndIntent(reservationId, setupIntentId);
  }

  /** The card the reservation's SetupIntent saved for off-session payments, or null when none succeeded. */
  async cardFor(reservationId: string): Promise<{ customerId: string; paymentMethodId: string } | null> {
    const setup = await this.repo.latestSucceeded(reservationId);
    if (!setup?.customerId || !setup.paymentMethodId) return null;
    return { customerId: setup.customerId, paymentMethodId: setup.paymentMethodId };
  }

  /** Which of these reservations have a card set up for a scheduled authorisation. */
  async withCardSetUp(reservationIds: string[]): Promise<Set<string>> {
    return this.repo.withCardSetUp(reservationIds);
  }

  /** @throws Error when there is no such setup (our own ids only reach here). */
  async get(setupId: string): Promise<PaymentSetup> {
    const setup = await this.repo.find(setupId);
    if (!setup) throw new Error(`payment setup ${setupId} not found`);
    return setup;
  }

  private async applyOwn(setupId: string, si: SetupIntentSnapshot): Promise<void> {
    await this.txHost.run(() => this.apply(si, setupId));
  }

  /** The set-up card joins the user's saved cards (best effort: the booking stands either way). */
  private async keepCard(userId: string, providerPaymentMethodId: string): Promise<void> {
    try {
      await this.methods.saveFromPayment(userId, providerPaymentMethodId);
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'could not save the card set up for a booking');
    }
  }
}
