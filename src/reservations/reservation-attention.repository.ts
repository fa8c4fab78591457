import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';

/** Reservations an admin must look at (their vehicle was displaced by maintenance): the flag's SQL. */
@Injectable()
export class ReservationAttentionRepository {
  constructor(private readonly txHost: TransactionHost) {}

  /** Flags a reservation with a reason (the first flag's time is kept); false when there is no such reservation. */
  async flag(id: string, reason: string): Promise<boolean> {
    const rows = await this.txHost.rows(
      `UPDATE reservations SET attention_reason = $2, flagged_at = COALESCE(flagged_at, now()), updated_at = now()
        WHERE id = $1 RETURNING id`,
      [id, reason],
    );
    return rows.length === 1;
  }

  /** The flag of a reservation (reason and time), or null when it is not flagged. */
  async flagOf(id: string): Promise<{ attentionReason: string; flaggedAt: Date } | null> {
    const [row] = await this.txHost.rows<{ attentionReason: string; flaggedAt: Date }>(
      `SELECT attention_reason AS "attentionReason", flagged_at AS "flaggedAt"
         FROM reservations WHERE id = $1 AND flagged_at IS NOT NULL`,
      [id],
    );
    return row ?? null;
  }
}
