import type { EmailMessage } from './notifications.types';

/**
 * Where email goes: SMTP (`SmtpSender`, when SMTP_URL is set) or the dev outbox table
 * (`DevOutboxSender`). `send` resolves once the message is accepted, or throws an
 * EmailDeliveryError saying whether trying again could help.
 */
export interface EmailSender {
  readonly kind: 'smtp' | 'dev-outbox';
  send(message: EmailMessage): Promise<void>;
  close?(): Promise<void>;
}

export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

/**
 * A message the sender did not accept. `permanent`: the receiving side refused it for good
 * (SMTP 5xx, e.g. 550 no such mailbox): no retry. Otherwise (SMTP 4xx such as 421/451, a
 * connection refused or timed out) the job tries again with backoff. The message names
 * the reply code only, never the server's text, which may echo the address.
 */
export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';

  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}
