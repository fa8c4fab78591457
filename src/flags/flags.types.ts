/** The flags the app reads, by key (rows of `feature_flags`; a new flag comes with a migration seeding it). */
export const FLAGS = {
  /** Send email notifications: off, no email job is enqueued. */
  notificationsEmail: 'notifications.email',
  /** Relay the outbox to NATS JetStream (when EVENTS_NATS_URL is set): off, events wait in the outbox. */
  eventsRelay: 'events.relay',
} as const;

export type FlagKey = (typeof FLAGS)[keyof typeof FLAGS];

/** A flag as stored. */
export interface FeatureFlag {
  key: string;
  enabled: boolean;
  variant: string | null;
  description: string;
  updatedBy: string;
  updatedAt: Date;
}
