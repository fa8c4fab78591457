import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type JobContext, JobsService, PermanentJobError, type JobPolicy } from '@holdfast/jobs';
import { FlagsService } from '../flags/flags.service';
import { FLAGS } from '../flags/flags.types';
import { EMAIL_SENDER, EmailDeliveryError, type EmailSender } from './email-sender.port';
import { EmailRenderer } from './email-renderer';
import { NotificationMetrics } from './notification-metrics';
import { NotificationsConfig } from './notifications.config';
import { NotificationsRepository } from './notifications.repository';
import type { DevEmail, EmailMessage, EmailRequest } from './notifications.types';

/** The job that sends one email. Its data is the notification's id, nothing personal. */
export const EMAIL_JOB = 'notifications-email';

/** 3 attempts, 5 s then about 10 s apart (pg-boss doubles each delay, with jitter). */
export const EMAIL_POLICY: JobPolicy = {
  retryLimit: 2,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 120,
  concurrency: 4,
};

interface EmailJob {
  notificationId: string;
}

/**
 * Email, through the job queue (DESIGN.md section 13). `queueEmail` runs in the
 * transaction of the change the email tells about: the notification row (address and
 * facts) and its job commit with that change or not at all. The job renders the
 * templates and hands the message to the sender (SMTP, or the dev outbox); a deferral
 * (SMTP 4xx, no connection) is retried with backoff, a permanent refusal (SMTP 5xx) is
 * dead-lettered at once. Addresses and bodies are never logged.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly renderer = new EmailRenderer();

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly jobs: JobsService,
    private readonly flags: FlagsService,
    private readonly metrics: NotificationMetrics,
    private readonly config: NotificationsConfig,
    @Inject(EMAIL_SENDER) private readonly sender: EmailSender,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<EmailJob>(EMAIL_JOB, (data, job) => this.deliver(data, job), EMAIL_POLICY);
    this.logger.log(
      `email goes to ${this.sender.kind === 'smtp' ? 'the SMTP server (SMTP_URL)' : 'the dev outbox (GET /v1/dev/emails)'}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sender.close?.();
  }

  /**
   * Queues an email in the caller's transaction. Nothing is queued while the
   * `notifications.email` flag is off (returns null); otherwise the notification's id.
   */
  async queueEmail(request: EmailRequest): Promise<string | null> {
    if (!(await this.flags.isEnabled(FLAGS.notificationsEmail, true))) {
      this.metrics.count(request.template, 'suppressed');
      return null;
    }
    const id = await this.repo.insert(request, this.config.locale);
    await this.jobs.enqueue<EmailJob>(EMAIL_JOB, { notificationId: id });
    this.metrics.count(request.template, 'queued');
    return id;
  }

  /** The dev outbox (GET /v1/dev/emails): everyone's for admins, else the user's own. */
  async devEmails(filter: {
    userId?: string;
    reservationId?: string;
    limit: number;
    offset: number;
  }): Promise<{ emails: DevEmail[]; total: number }> {
    return this.repo.devEmails(filter);
  }

  /** The job: renders and sends one notification, once (a retry after it was sent does nothing). */
  private async deliver({ notificationId }: EmailJob, job: JobContext): Promise<object> {
    const notification = await this.repo.find(notificationId);
    if (!notification) return { skipped: 'no such notification' };
    if (notification.status === 'sent' || notification.status === 'suppressed') return { skipped: notification.status };
    const { template } = notification;
    // Switched off after it was queued: not sent either (the flag is the rollback switch).
    if (!(await this.flags.isEnabled(FLAGS.notificationsEmail, true))) {
      await this.repo.settle(notificationId, 'suppressed', null);
      this.metrics.count(template, 'suppressed');
      return { suppressed: true };
    }
    let message: EmailMessage;
    try {
      message = this.renderer.render(notificationId, notification.recipient, template, notification.data, notification.locale);
    } catch (error) {
      // A template that cannot render will not render on a retry either. The error's
      // message may quote the data, so only its kind is kept.
      await this.repo.settle(notificationId, 'failed', 'rendering failed');
      this.metrics.count(template, 'failed');
      throw new PermanentJobError(`email ${template} could not be rendered (${(error as Error)?.name ?? 'error'})`);
    }
    try {
      await this.sender.send(message);
    } catch (error) {
      const failure =
        error instanceof EmailDeliveryError
          ? error
          : new EmailDeliveryError(`email sender failed (${(error as Error)?.name})`, false);
      const last = failure.permanent || job.retryCount >= EMAIL_POLICY.retryLimit;
      await this.repo.settle(notificationId, last ? 'failed' : 'queued', failure.message);
      this.metrics.count(template, last ? 'failed' : 'deferred');
      throw failure.permanent ? new PermanentJobError(failure.message) : failure;
    }
    await this.repo.settle(notificationId, 'sent', null);
    this.metrics.count(template, 'sent');
    return { sent: this.sender.kind };
  }
}
