/** The flags the app reads, by key (rows of `feature_flags`; a new flag comes with a migration seeding it). */
export const FLAGS = {
  /** Send email notifications: off, no email job is enqueued. */
  notificationsEmail: 'notifications.email',
  /** Relay the outbox to NATS JetStream (when EVENTS_NATS_URL is set): off, events wait in the outbox. */
  eventsRelay: 'events.relay',
  /**
   * Which tax provider prices tax: variant `http` (TAX_API_URL) or `simulated`; no variant:
   * http when TAX_API_URL is set, else simulated. Off: no provider is asked (cached rates,
   * then the fallback table). Production never uses simulated.
   */
  taxProvider: 'tax.provider',
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
