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
  /** Order external offerings through the inventory system: off, they show `orderable: false` and their holds answer 503 INVENTORY_UNAVAILABLE. */
  inventoryIms: 'inventory.ims',
  /**
   * One per shipping carrier, `shipping.carrier.<name>`: off, that carrier is not asked for
   * rates (the others, or the flat rates, answer). Seeded on for the simulated carriers
   * fedex, ups and usps; an HTTP carrier of another name needs its own seeding migration.
   */
  shippingCarrier: (name: string) => `shipping.carrier.${name}` as const,
} as const;

/**
 * Variants that select a simulated integration (made-up answers): refused with
 * NODE_ENV=production, as the simulated adapters themselves are at start-up.
 */
export const SIMULATED_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  [FLAGS.taxProvider]: ['simulated'],
};

type FlagValue = (typeof FLAGS)[keyof typeof FLAGS];
export type FlagKey =
  Exclude<FlagValue, (...args: never[]) => unknown> | ReturnType<Extract<FlagValue, (...args: never[]) => unknown>>;

/** A flag as stored. */
export interface FeatureFlag {
  key: string;
  enabled: boolean;
  variant: string | null;
  description: string;
  updatedBy: string;
  updatedAt: Date;
}
