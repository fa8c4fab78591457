import type { AppConfig } from '../config/app-config';

/** What notifications read from the validated environment (src/config/config-slices.ts provides it). */
export class NotificationsConfig {
  /** SMTP_URL: the SMTP server email goes through; null: the dev outbox table. */
  readonly smtpUrl: string | null;
  /** EMAIL_FROM: the From header. */
  readonly from: string;
  /** EMAIL_LOCALE: the locale amounts and dates are written in. */
  readonly locale: string;
  /** GET /v1/dev/emails is served (AUTH_MODE=dev only: it shows guests' emails to any signed-in user's owner). */
  readonly devRoutes: boolean;

  constructor(env: AppConfig) {
    this.smtpUrl = env.SMTP_URL ?? null;
    this.from = env.EMAIL_FROM;
    this.locale = env.EMAIL_LOCALE;
    this.devRoutes = env.AUTH_MODE === 'dev';
  }
}
