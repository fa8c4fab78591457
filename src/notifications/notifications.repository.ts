import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import type { DevEmail, EmailRequest, EmailTemplate, NotificationStatus, ReservationEmailData } from './notifications.types';

/** A notification as its job reads it. */
export interface NotificationRow {
  id: string;
  template: EmailTemplate;
  recipient: string;
  locale: string;
  data: ReservationEmailData;
  status: NotificationStatus;
}

const DEV_EMAIL = `d.id, d.notification_id AS "notificationId", n.template, n.reservation_id AS "reservationId",
                   d.recipient AS "to", d.subject, d.text, d.html, d.created_at AS "createdAt"`;

/** The `notifications` and `dev_emails` tables, through `TransactionHost.rows`. */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly txHost: TransactionHost) {}

  async insert(request: EmailRequest, locale: string): Promise<string> {
    const [row] = await this.txHost.rows<{ id: string }>(
      `INSERT INTO notifications (template, user_id, reservation_id, recipient, locale, data)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
      [request.template, request.userId, request.reservationId, request.to, locale, JSON.stringify(request.data)],
    );
    return row.id;
  }

  async find(id: string): Promise<NotificationRow | null> {
    const [row] = await this.txHost.rows<NotificationRow>(
      `SELECT id, template, recipient, locale, data, status FROM notifications WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Records an attempt's outcome (`queued` again when it will be retried). */
  async settle(id: string, status: NotificationStatus, error: string | null): Promise<void> {
    await this.txHost.rows(
      `UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = $3,
              sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
        WHERE id = $1`,
      [id, status, error],
    );
  }

  /** The dev sender's delivery: once per notification (a retried job finds it there). */
  async insertDevEmail(notificationId: string, to: string, subject: string, text: string, html: string): Promise<void> {
    await this.txHost.rows(
      `INSERT INTO dev_emails (notification_id, recipient, subject, text, html) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (notification_id) DO NOTHING`,
      [notificationId, to, subject, text, html],
    );
  }

  /** The dev outbox, newest first: everyone's, or one user's. */
  async devEmails(filter: {
    userId?: string;
    reservationId?: string;
    limit: number;
    offset: number;
  }): Promise<{ emails: DevEmail[]; total: number }> {
    const where = `($1::text IS NULL OR n.user_id = $1) AND ($2::uuid IS NULL OR n.reservation_id = $2)`;
    const params = [filter.userId ?? null, filter.reservationId ?? null];
    const emails = await this.txHost.rows<DevEmail>(
      `SELECT ${DEV_EMAIL} FROM dev_emails d JOIN notifications n ON n.id = d.notification_id
        WHERE ${where} ORDER BY d.created_at DESC, d.id DESC LIMIT $3 OFFSET $4`,
      [...params, filter.limit, filter.offset],
    );
    const [{ total }] = await this.txHost.rows<{ total: number }>(
      `SELECT count(*)::int AS total FROM dev_emails d JOIN notifications n ON n.id = d.notification_id WHERE ${where}`,
      params,
    );
    return { emails, total };
  }
}
