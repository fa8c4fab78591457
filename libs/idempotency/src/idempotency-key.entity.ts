import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A completed idempotent request: its key, a hash of what was asked, and the response
 * to replay. Written in the same transaction as the request's effect, so a key exists
 * exactly when its effect does.
 */
@Entity({ name: 'idempotency_keys' })
@Index('idx_idempotency_keys_expires_at', ['expiresAt'])
export class IdempotencyKeyEntity {
  /** `{userId}|{METHOD} {route}`: a key is private to one user and one route. */
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** sha256 of the route params and body, canonicalised. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /** completed, or in_progress while a stepwise request runs. */
  @Column({ type: 'text', default: 'completed' })
  state!: 'completed' | 'in_progress';

  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody!: object | null;

  /** When a stepwise request claimed the key (null once completed). */
  @Column({ name: 'locked_at', type: 'timestamptz', nullable: true })
  lockedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
