import { Injectable } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import { AuditService } from '@holdfast/audit';
import { AppError } from '@holdfast/errors';
import { type SqlParams, TransactionHost } from '@holdfast/database';
import { pageOf } from '@holdfast/pagination';
import type { CreateOfferingDto } from './dto/create-offering.dto';
import type { ListOfferingsQueryDto } from './dto/list-offerings-query.dto';
import type { OfferingDto, OfferingListDto } from './dto/offering.dto';
import type { PricingRulesDto } from './dto/pricing-rules.dto';
import type { UpdateOfferingDto } from './dto/update-offering.dto';
import { ExternalSourcePort } from './external-source.port';
import { OfferingEntity } from './offering.entity';
import type { PricingRules } from './pricing';
import { canonicalTimeZone, RENTAL_POLICY_FIELDS, type RentalPolicy, rentalPolicyProblems } from './rental-policy';
import type { RentalPolicyDto } from './dto/rental-policy.dto';

/** How long `getOffering` may serve an offering from memory. */
export const OFFERING_CACHE_TTL_MS = 5_000;
const OFFERING_CACHE_MAX_ENTRIES = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CacheEntry {
  offering: OfferingEntity;
  expiresAt: number;
}

/** The fields of an offering that its price comes from (and whether it is on sale). */
export type PricedOffering = Pick<OfferingEntity, 'id' | 'basePriceCents' | 'currency' | 'pricingRules'>;

/**
 * A SQL condition, for a statement that prices with a cached offering, that the
 * offering is still active and still has that price: base price, currency and pricing
 * rules as in `offering` (jsonb equality ignores key order). Pure: catalog's fragment of
 * the one-statement hold (src/reservations/hold-statement.ts).
 */
export function offeringUnchangedSql(p: SqlParams, offering: PricedOffering): string {
  return `EXISTS (SELECT 1 FROM offerings o
                     WHERE o.id = ${p.add(offering.id, 'uuid')} AND o.active
                       AND o.base_price_cents = ${p.add(offering.basePriceCents, 'int')} AND o.currency = ${p.add(offering.currency, 'bpchar')}
                       AND o.pricing_rules = ${p.add(JSON.stringify(offering.pricingRules), 'jsonb')})`;
}

/** Offerings: public browse, admin create and change, and lookups for the other modules. */
@Injectable()
export class CatalogService {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped on every invalidation, so a read that raced a write cannot re-cache the old row. */
  private generation = 0;

  constructor(
    private readonly txHost: TransactionHost,
    private readonly audit: AuditService,
    private readonly externalSource: ExternalSourcePort,
  ) {}

  /**
   * The public list: active offerings only, newest first, optionally of one kind and
   * with `q` in the title (case-insensitive, `%` and `_` taken literally).
   */
  async list(query: ListOfferingsQueryDto): Promise<OfferingListDto> {
    const { kind, q, limit, offset } = query;
    const qb = this.txHost.manager.getRepository(OfferingEntity).createQueryBuilder('o').where('o.active = true');
    if (kind) qb.andWhere('o.kind = :kind', { kind });
    if (q) qb.andWhere(`o.title ILIKE :pattern ESCAPE '\\'`, { pattern: `%${q.replace(/[\\%_]/g, '\\$&')}%` });
    const [rows, total] = await qb
      .orderBy('o.createdAt', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .limit(limit)
      .offset(offset)
      .getManyAndCount();
    return {
      offerings: rows.map(await this.toDto()),
      pagination: pageOf(total, limit, offset),
    };
  }

  /**
   * One offering by id, inactive ones included (with `orderable: false`). Always read
   * from the database, never from the cache.
   * @throws AppError NOT_FOUND for an unknown id or one that is not a UUID.
   */
  async get(id: string): Promise<OfferingDto> {
    return (await this.toDto())(await this.findOrFail(id));
  }

  /**
   * Creates an offering; absent optional fields get their defaults (active, no rules, not
   * refundable). Audited as `offering` / `create` by `actor` (an admin's user id, or
   * `system:<what>`), in the same transaction.
   */
  async create(dto: CreateOfferingDto, actor: string): Promise<OfferingDto> {
    return this.txHost.run(async () => {
      const repository = this.txHost.manager.getRepository(OfferingEntity);
      const saved = await repository.save(
        checkedOffering(
          {
            kind: dto.kind,
            title: dto.title,
            description: dto.description,
            currency: dto.currency,
            basePriceCents: dto.basePrice,
            active: dto.active ?? true,
            pricingRules: toStoredRules(dto.pricingRules),
            refundableUntilHours: dto.refundableUntilHours ?? null,
            images: dto.images ?? [],
            attributes: dto.attributes ?? {},
            weightGrams: dto.weightGrams ?? null,
            inventorySource: dto.inventorySource ?? 'internal',
            externalItemId: dto.externalItemId ?? null,
            vehicle: dto.vehicle ?? false,
            rentalPolicy: toStoredPolicy(dto.rentalPolicy),
          },
          repository,
        ),
      );
      // Nothing to drop: the cache never holds misses, so no entry can exist for a new id.
      // Re-read for the columns the database fills in (timestamps, defaults).
      const created = toOfferingDto(await this.findOrFail(saved.id));
      await this.audit.record({ actor, recordType: 'offering', recordId: created.id, action: 'create', after: created });
      return created;
    });
  }

  /**
   * Changes the given fields of an offering (`kind` never changes). `pricingRules`, when
   * given, replaces the rules whole. Drops this process's cached copy once the change has
   * committed, so `getOffering` here sees it at once; other replicas within
   * {@link OFFERING_CACHE_TTL_MS}. Audited as `offering` / `update` by `actor`, before and
   * after, in the same transaction.
   * @throws AppError NOT_FOUND for an unknown id or one that is not a UUID.
   */
  async update(id: string, dto: UpdateOfferingDto, actor: string): Promise<OfferingDto> {
    try {
      // Not @Transactional(): the cache must be dropped after the commit, not before it.
      const updated = await this.txHost.run(async () => {
        const repository = this.txHost.manager.getRepository(OfferingEntity);
        const offering = await this.findOrFail(id, true);
        const before = toOfferingDto(offering);
        if (dto.title !== undefined) offering.title = dto.title;
        if (dto.description !== undefined) offering.description = dto.description;
        if (dto.currency !== undefined) offering.currency = dto.currency;
        if (dto.basePrice !== undefined) offering.basePriceCents = dto.basePrice;
        if (dto.active !== undefined) offering.active = dto.active;
        if (dto.pricingRules !== undefined) offering.pricingRules = toStoredRules(dto.pricingRules);
        if (dto.refundableUntilHours !== undefined) offering.refundableUntilHours = dto.refundableUntilHours;
        if (dto.images !== undefined) offering.images = dto.images;
        if (dto.attributes !== undefined) offering.attributes = dto.attributes;
        if (dto.weightGrams !== undefined) offering.weightGrams = dto.weightGrams;
        if (dto.inventorySource !== undefined) offering.inventorySource = dto.inventorySource;
        if (dto.externalItemId !== undefined) offering.externalItemId = dto.externalItemId;
        if (dto.vehicle !== undefined) offering.vehicle = dto.vehicle;
        if (dto.rentalPolicy !== undefined) offering.rentalPolicy = toStoredPolicy(dto.rentalPolicy);
        await repository.save(checkedOffering(offering));
        const after = toOfferingDto(await this.findOrFail(id));
        await this.audit.record({ actor, recordType: 'offering', recordId: id, action: 'update', before, after });
        return after;
      });
      return updated;
    } finally {
      this.invalidate(id);
    }
  }

  /**
   * The offering for pricing and holding (inventory, reservations), active or not: check
   * `active` before selling it. Null for an unknown id or one that is not a UUID.
   *
   * Served from an in-process cache on the hold path, so a burst of holds does not read
   * the same row again and again. Staleness bound: an entry is at most
   * {@link OFFERING_CACHE_TTL_MS} (5 s) old, so a change made through another replica (or
   * straight in the database) shows here within 5 s of its commit; a change made through
   * this process's `update` shows at once. Misses (null) are not cached. With `fresh`,
   * the row is read now (and the cache refreshed with it).
   *
   * The result is shared between callers and frozen: treat it as read-only and never save
   * it. Inside a transaction the read uses that transaction's connection.
   */
  async getOffering(id: string, { fresh = false } = {}): Promise<OfferingEntity | null> {
    if (!UUID.test(id)) return null;
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt > now && !fresh) return hit.offering;

    const generation = this.generation;
    const offering = await this.txHost.manager.getRepository(OfferingEntity).findOneBy({ id });
    if (!offering) {
      this.cache.delete(id);
      return null;
    }
    deepFreeze(offering);
    if (generation === this.generation) {
      if (this.cache.size >= OFFERING_CACHE_MAX_ENTRIES) this.evictExpired(now);
      this.cache.set(id, { offering, expiresAt: now + OFFERING_CACHE_TTL_MS });
    }
    return offering;
  }

  /**
   * These offerings as they are now (no cache), by id; ids that name none are left out.
   * For other modules that show what was booked (title, images, refund policy) or act on
   * it: a vehicle rental's `vehicle` flag and `rentalPolicy` (pickup and return times, zone,
   * deposit, fees; `rentalPeriod` in rental-policy.ts turns booked dates into instants).
   */
  async getOfferings(ids: string[]): Promise<Map<string, OfferingEntity>> {
    const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
    if (wanted.length === 0) return new Map();
    const offerings = await this.txHost.manager.getRepository(OfferingEntity).findBy({ id: In(wanted) });
    return new Map(offerings.map((o) => [o.id, o]));
  }

  /** How many offerings exist, active or not (the demo loader seeds an empty catalog only). */
  async countOfferings(): Promise<number> {
    return this.txHost.manager.getRepository(OfferingEntity).count();
  }

  private invalidate(id: string): void {
    this.generation++;
    this.cache.delete(id);
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    if (this.cache.size >= OFFERING_CACHE_MAX_ENTRIES) this.cache.clear();
  }

  /** The mapping to the API's view, with whether external offerings can be ordered now (read once per call). */
  private async toDto(): Promise<(offering: OfferingEntity) => OfferingDto> {
    const externalDown = await this.externalSource.externalUnavailable();
    return (offering) => toOfferingDto(offering, externalDown);
  }

  private async findOrFail(id: string, lock = false): Promise<OfferingEntity> {
    const offering = UUID.test(id)
      ? await this.txHost.manager.getRepository(OfferingEntity).findOne({
          where: { id },
          ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!offering) throw new AppError('NOT_FOUND', 'Offering not found');
    return offering;
  }
}

/** API rules (`amountOff`) to stored rules (`amountOffCents`); absent or null rules are left out. */
function toStoredRules(dto: PricingRulesDto | undefined): PricingRules {
  const rules: PricingRules = {};
  const value = (rule: { percentOff?: number; amountOff?: number }) =>
    typeof rule.percentOff === 'number' ? { percentOff: rule.percentOff } : { amountOffCents: rule.amountOff };
  if (dto?.groupDiscount) {
    const { minQuantity, type } = dto.groupDiscount;
    rules.groupDiscount = { minQuantity, ...value(dto.groupDiscount), type };
  }
  if (dto?.earlyBird) {
    const { minDaysBefore, type } = dto.earlyBird;
    rules.earlyBird = { minDaysBefore, ...value(dto.earlyBird), type };
  }
  return rules;
}

function toRulesDto(rules: PricingRules): PricingRulesDto {
  const dto: PricingRulesDto = {};
  const value = (rule: { percentOff?: number; amountOffCents?: number }) =>
    typeof rule.percentOff === 'number' ? { percentOff: rule.percentOff } : { amountOff: rule.amountOffCents };
  if (rules.groupDiscount) {
    const { minQuantity, type } = rules.groupDiscount;
    dto.groupDiscount = { minQuantity, ...value(rules.groupDiscount), type };
  }
  if (rules.earlyBird) {
    const { minDaysBefore, type } = rules.earlyBird;
    dto.earlyBird = { minDaysBefore, ...value(rules.earlyBird), type };
  }
  return dto;
}

/** A policy as stored: its known fields only, the zone in its canonical spelling; null for none. */
function toStoredPolicy(dto: RentalPolicyDto | null | undefined): RentalPolicy | null {
  if (!dto) return null;
  const policy = Object.fromEntries(RENTAL_POLICY_FIELDS.map((field) => [field, dto[field]])) as unknown as RentalPolicy;
  return { ...policy, timeZone: canonicalTimeZone(policy.timeZone) ?? policy.timeZone };
}

/**
 * The rules across fields, refused as VALIDATION_FAILED (with every problem) before the
 * table's CHECKs would: an external offering names its item in the inventory system, and
 * only goods (products, rentals) can be external; a vehicle is a rental of our own
 * inventory with a rental policy (DESIGN.md section 12); only rentals carry a policy, and
 * its return time is not after its pickup time.
 */
function checkedOffering(offering: Partial<OfferingEntity>, repository?: Repository<OfferingEntity>): OfferingEntity {
  const problems: { field: string; message: string }[] = [];
  if (offering.inventorySource === 'external') {
    if (!offering.externalItemId) {
      problems.push({ field: 'externalItemId', message: 'externalItemId is required with inventorySource "external"' });
    }
    if (offering.kind === 'experience') {
      problems.push({
        field: 'inventorySource',
        message: 'only products and rentals can be external (experiences are our time slots)',
      });
    }
  }
  if (offering.vehicle) {
    if (offering.kind !== 'rental') problems.push({ field: 'vehicle', message: 'only rentals can be vehicles' });
    else if (!offering.rentalPolicy)
      problems.push({ field: 'rentalPolicy', message: 'a vehicle offering needs a rental policy' });
    if (offering.inventorySource === 'external') {
      problems.push({ field: 'inventorySource', message: 'vehicles are our own units: a vehicle offering cannot be external' });
    }
  }
  if (offering.rentalPolicy) {
    if (offering.kind !== 'rental') problems.push({ field: 'rentalPolicy', message: 'only rentals have a rental policy' });
    for (const { field, message } of rentalPolicyProblems(offering.rentalPolicy)) {
      problems.push({ field: `rentalPolicy.${field}`, message });
    }
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'The request is not valid', problems);
  return repository ? repository.create(offering) : (offering as OfferingEntity);
}

function toOfferingDto(offering: OfferingEntity, externalDown = false): OfferingDto {
  const unavailableReason = !offering.active
    ? 'INACTIVE'
    : offering.inventorySource === 'external' && externalDown
      ? 'INVENTORY_UNAVAILABLE'
      : null;
  return {
    id: offering.id,
    kind: offering.kind,
    title: offering.title,
    description: offering.description,
    currency: offering.currency,
    basePrice: offering.basePriceCents,
    active: offering.active,
    orderable: unavailableReason === null,
    unavailableReason,
    weightGrams: offering.weightGrams,
    inventorySource: offering.inventorySource,
    externalItemId: offering.externalItemId,
    pricingRules: toRulesDto(offering.pricingRules ?? {}),
    refundableUntilHours: offering.refundableUntilHours,
    images: offering.images,
    attributes: offering.attributes,
    vehicle: offering.vehicle,
    rentalPolicy: offering.rentalPolicy,
    createdAt: offering.createdAt.toISOString(),
    updatedAt: offering.updatedAt.toISOString(),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
