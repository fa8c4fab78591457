import type { EmailSender } from './email-sender.port';
import type { NotificationsRepository } from './notifications.repository';
import type { EmailMessage } from './notifications.types';

/**
 * The sender when SMTP_URL is unset: the message is stored in `dev_emails`, where
 * GET /v1/dev/emails (AUTH_MODE=dev) shows it. Nothing leaves the machine.
 */
export class DevOutboxSender implements EmailSender {
  readonly kind = 'dev-outbox' as const;

  constructor(private readonly repo: NotificationsRepository) {}

  async send(message: EmailMessage): Promise<void> {
    await this.repo.insertDevEmail(message.id, message.to, message.subject, message.text, message.html);
  }
}
