import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { type JobContext, type JobPolicy, JobsService } from '@holdfast/jobs';
import { ImsRejectedError } from '../inventory/ims.port';
import { InventoryService } from '../inventory/inventory.service';
import { PaymentsService } from '../payments/payments.service';
import { type OwnClaims, RefundsService } from '../payments/refunds.service';
import { SupportService } from '../support/support.service';

/** The job that confirms a paid order at the Inventory Management System. Its data is our reservation id. */
export const IMS_CONFIRM_JOB = 'inventory-confirm-order';

/**
 * Retried until the IMS accepts, with backoff from 30 s (30 s, 1 min, 2 min, ... about 8.5 h
 * in all over 11 attempts); then dead-lettered for admins with a support case.
 */
export const IMS_CONFIRM_POLICY: JobPolicy = { retryLimit: 10, retryDelaySeconds: 30, retryBackoff: true, expireInSeconds: 120 };

interface ImsConfirmJob {
  reservationId: string;
}

/**
 * After payment, an order with external items is confirmed at the IMS (DESIGN.md section
 * 10) by a job queued in the confirming transaction: a paid order is never lost or
 * refunded because the IMS blinked. The IMS confirms idempotently by our reservation id,
 * so a retried attempt confirms once. A definitive rejection (409/410: the reservation
 * lapsed and the stock is gone) refunds the whole payment (the refund's completion then
 * marks the reservation refunded and emails the customer) and opens a support case.
 */
@Injectable()
export class ImsConfirmationJob implements OnModuleInit {
  private readonly logger = new Logger(ImsConfirmationJob.name);

  constructor(
    private readonly jobs: JobsService,
    private readonly txHost: TransactionHost,
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly support: SupportService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<ImsConfirmJob>(
      IMS_CONFIRM_JOB,
      (data, job) => this.run(data.reservationId, job),
      IMS_CONFIRM_POLICY,
    );
  }

  /** In the confirming transaction: queues the confirmation if the reservation holds anything at the IMS. */
  async queue(reservationId: string): Promise<void> {
    const external = await this.inventory.externalAllocationsOf(reservationId);
    if (!external.some((a) => a.status === 'held')) return;
    await this.jobs.enqueue<ImsConfirmJob>(IMS_CONFIRM_JOB, { reservationId }, { singletonKey: reservationId });
  }

  private async run(reservationId: string, job: JobContext): Promise<object> {
    try {
      const order = await this.inventory.confirmExternal(reservationId);
      return { orderId: order?.orderId ?? null };
    } catch (error) {
      if (error instanceof ImsRejectedError) {
        await this.rejected(reservationId, error);
        return { rejected: error.status };
      }
      if (job.retryCount >= IMS_CONFIRM_POLICY.retryLimit) {
        // The last attempt: the job waits on the failed list; a person should look now.
        await this.support.open('ims_confirmation_failed', reservationId, {
          jobId: job.id,
          error: (error as Error)?.message ?? String(error),
        });
      }
      throw error;
    }
  }

  private async rejected(reservationId: string, error: ImsRejectedError): Promise<void> {
    this.logger.warn(`the IMS rejected the order of reservation ${reservationId} (${error.status}): refunding it`);
    const own: OwnClaims = { refundIds: [], releaseIds: [] };
    await this.txHost.run(async () => {
      own.refundIds = [];
      await this.inventory.rejectExternal(reservationId);
      const payment = await this.payments.latestFor(reservationId);
      let refundId: string | null = null;
      if (payment && payment.captured - payment.refunded > 0) {
        const refund = await this.refunds.requestRefund(payment.paymentId, {
          reason: 'the inventory system could not supply the order',
          source: 'inventory_rejected',
          claim: true,
        });
        refundId = refund.refundId;
        own.refundIds!.push(refund.refundId);
      }
      await this.support.open('ims_order_rejected', reservationId, { imsStatus: error.status, refundId });
    });
    await this.refunds.flushPending(own);
  }
}
