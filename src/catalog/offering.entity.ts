import type { PricingRules } from './pricing';
import type { RentalPolicy } from './rental-policy';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const OFFERING_KINDS = ['experience', 'product', 'rental'] as const;
export type OfferingKind = (typeof OFFERING_KINDS)[number];

export const INVENTORY_SOURCES = ['internal', 'external'] as const;
export type InventorySource = (typeof INVENTORY_SOURCES)[number];

/** Something that can be booked: an experience, a product or a rental (DESIGN.md section 1). */
@Entity({ name: 'offerings' })
@Check('chk_offerings_kind', `"kind" IN ('experience', 'product', 'rental')`)
@Check('chk_offerings_base_price', `"base_price_cents" >= 0`)
@Check('chk_offerings_weight', `"weight_grams" IS NULL OR "weight_grams" > 0`)
@Check(
  'chk_offerings_inventory_source',
  `"inventory_source" = 'internal' OR ("inventory_source" = 'external' AND "external_item_id" IS NOT NULL)`,
)
@Check(
  'chk_offerings_vehicle',
  `NOT "vehicle" OR ("kind" = 'rental' AND "rental_policy" IS NOT NULL AND "inventory_source" = 'internal')`,
)
@Check('chk_offerings_rental_policy', `"rental_policy" IS NULL OR "kind" = 'rental'`)
@Index('idx_offerings_kind_active', ['kind', 'active'])
export class OfferingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: OfferingKind;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Per guest (experience), per unit (product) or per day (rental), in minor units. */
  @Column({ name: 'base_price_cents', type: 'integer' })
  basePriceCents!: number;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'pricing_rules', type: 'jsonb', default: () => `'{}'` })
  pricingRules!: PricingRules;

  /** Hours before the start until which a confirmed booking is refunded in full (null: never). */
  @Column({ name: 'refundable_until_hours', type: 'integer', nullable: true })
  refundableUntilHours!: number | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  images!: string[];

  @Column({ type: 'jsonb', default: () => `'{}'` })
  attributes!: Record<string, unknown>;

  /** A product's shipping weight per unit (grams); null for what is not shipped. */
  @Column({ name: 'weight_grams', type: 'integer', nullable: true })
  weightGrams!: number | null;

  /** Whose stock it is: our ledger (`internal`) or the Inventory Management System (`external`, DESIGN.md section 10). */
  @Column({ name: 'inventory_source', type: 'text', default: 'internal' })
  inventorySource!: InventorySource;

  /** The IMS's id of the item (`external` offerings only). */
  @Column({ name: 'external_item_id', type: 'text', nullable: true })
  externalItemId!: string | null;

  /**
   * A vehicle rental (DESIGN.md section 12): its units are vehicles with plates and a fleet
   * status, and it carries a rental policy. Only rentals of our own inventory can be vehicles.
   */
  @Column({ type: 'boolean', default: false })
  vehicle!: boolean;

  /** Pickup and return times, zone, deposit and fees (rentals only; required for vehicles). */
  @Column({ name: 'rental_policy', type: 'jsonb', nullable: true })
  rentalPolicy!: RentalPolicy | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
