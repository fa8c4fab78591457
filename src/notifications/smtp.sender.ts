import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { type EmailSender, EmailDeliveryError } from './email-sender.port';
import type { EmailMessage } from './notifications.types';

/** SMTP through nodemailer: one connection per message, STARTTLS when the server offers it. */
export class SmtpSender implements EmailSender {
  readonly kind = 'smtp' as const;
  private readonly transport: Mail;
  private readonly messageIdDomain: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Tuned for a job, not a request: slow is fine, hung is not (the job's attempt would stall).
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    }) as unknown as Mail;
    this.messageIdDomain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'holdfast.invalid';
  }

  async send(message: EmailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The same id on every attempt: a receiver that got an earlier one can tell.
        messageId: `<${message.id}@${this.messageIdDomain}>`,
      });
    } catch (error) {
      throw classify(error);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * An SMTP failure as a delivery error: a 5xx reply is permanent (RFC 5321: the same
 * message will be refused again), a 4xx reply or no reply at all (refused, reset, timed
 * out) is worth another try. Only the codes go into the message: the server's text may
 * quote the address.
 */
export function classify(error: unknown): EmailDeliveryError {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  const reply = typeof responseCode === 'number' ? responseCode : null;
  const kind = typeof code === 'string' && /^[A-Z_]{2,20}$/.test(code) ? code : 'unknown error';
  if (reply !== null && reply >= 500 && reply < 600) {
    return new EmailDeliveryError(`SMTP server refused the message permanently (${reply}, ${kind})`, true);
  }
  return new EmailDeliveryError(
    reply !== null ? `SMTP server deferred the message (${reply}, ${kind})` : `SMTP delivery failed (${kind})`,
    false,
  );
}
