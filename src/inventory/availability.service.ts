import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { Clock } from '@holdfast/clock';
import { CatalogService } from '../catalog/catalog.service';
import type { Offering } from '../catalog/catalog.types';
import {
  type AvailabilityDto,
  type AvailabilityQueryDto,
  DEFAULT_AVAILABILITY_DAYS,
  MAX_AVAILABILITY_DAYS,
  type SlotAvailabilityDto,
  type UnitAvailabilityDto,
} from './dto/availability.dto';
import { ExternalInventoryService } from './external-inventory.service';
import { ImsUnavailableError } from './ims.port';
import { findOfferingKind } from './offering-kind';
import type { SlotStatus } from './time-slot.entity';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How old an answer of the inventory system may be when it is served in place of one it cannot give now. */
export const EXTERNAL_CACHE_MS = 60_000;
const EXTERNAL_CACHE_MAX = 10_000;

/**
 * What is left to hold, for the public catalog. Plain reads outside any transaction:
 * a figure may be stale by the time the user holds, and the hold re-checks it anyway.
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly catalog: CatalogService,
    private readonly ims: ExternalInventoryService,
    private readonly clock: Clock,
  ) {}

  /** The inventory system's last answers, by question, for when it cannot answer (at most EXTERNAL_CACHE_MS old). */
  private readonly lastAnswers = new Map<string, { at: number; value: unknown }>();

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.txHost.rows<T>(sql, params);
  }

  /**
   * Availability of an offering in `[from, to)`: open slots with places left
   * (experience), stock per SKU (product), or units free for the whole window (rental).
   * Places held by holds that have expired but were not swept yet still count as taken.
   *
   * @throws AppError NOT_FOUND (no such offering, malformed id), VALIDATION_FAILED (bad window)
   */
  async forOffering(offeringId: string, window: AvailabilityQueryDto, now = new Date()): Promise<AvailabilityDto> {
    const { from, to } = this.window(window, now);
    const kind = await findOfferingKind(this.catalog, offeringId);
    if (!kind) throw new AppError('NOT_FOUND', 'Offering not found');
    if (kind !== 'experience') {
      const offering = await this.catalog.getOffering(offeringId);
      if (offering?.inventorySource === 'external' && offering.externalItemId) {
        return this.external(offering, kind, from, to);
      }
    }

    if (kind === 'experience') {
      // Slots that already started cannot be held (InventoryRepository.takeSlot), so they are not offered.
      const rows = await this.query<{
        id: string;
        starts_at: Date;
        ends_at: Date;
        capacity: number;
        places_left: number;
        status: SlotStatus;
      }>(
        `SELECT id, starts_at, ends_at, capacity, capacity - held - booked AS places_left, status
           FROM time_slots
          WHERE offering_id = $1 AND status = 'open' AND starts_at >= $2 AND starts_at < $3 AND starts_at > now()
          ORDER BY starts_at, id`,
        [offeringId, from, to],
      );
      const slots = rows.map((r): SlotAvailabilityDto => ({
        id: r.id,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        capacity: r.capacity,
        placesLeft: r.places_left,
        status: r.status,
      }));
      return { offeringId, kind, slots };
    }

    if (kind === 'product') {
      const stock = await this.query<{ sku: string; available: number }>(
        `SELECT sku, on_hand - held - sold AS available FROM stock_items WHERE offering_id = $1 ORDER BY sku`,
        [offeringId],
      );
      return { offeringId, kind, stock };
    }

    const units = await this.query<UnitAvailabilityDto>(
      `SELECT ru.id, ru.label, ru.model, ru.seats, ru.energy,
              ru.status = 'available' AND ru.fleet_status NOT IN ('maintenance', 'out_of_service') AND NOT EXISTS (
                SELECT 1 FROM allocations a
                 WHERE a.unit_id = ru.id AND a.resource_type = 'unit' AND a.state <> 'released' AND a.period && tstzrange($2, $3, '[)')
              ) AS available
         FROM rental_units ru
        WHERE ru.offering_id = $1 AND ru.status <> 'retired'
        ORDER BY ru.label, ru.id`,
      [offeringId, from, to],
    );
    return { offeringId, kind, from, to, units, availableUnits: units.filter((u) => u.available).length };
  }

  /**
   * An external offering's figures from the inventory system; when it cannot answer (down,
   * breaker open), its last answer to the same question if at most 60 s old, marked
   * `cached: true`; otherwise 503 INVENTORY_UNAVAILABLE.
   */
  private async external(offering: Offering, kind: 'product' | 'rental', from: Date, to: Date): Promise<AvailabilityDto> {
    const itemId = offering.externalItemId!;
    const startDate = from.toISOString().slice(0, 10);
    const endDate = new Date(Math.max(to.getTime(), from.getTime() + DAY_MS)).toISOString().slice(0, 10);
    const question = kind === 'product' ? `stock|${itemId}` : `units|${itemId}|${startDate}|${endDate}`;
    const ask = async (): Promise<number> =>
      kind === 'product'
        ? (await this.ims.stock(itemId)).available
        : (await this.ims.availability(itemId, startDate, endDate)).unitsAvailable;
    const { value, at, cached } = await this.fresh(question, ask);
    const external = { cached, asOf: new Date(at).toISOString() };
    if (kind === 'product') return { offeringId: offering.id, kind, stock: [{ sku: itemId, available: value }], external };
    return { offeringId: offering.id, kind, from, to, units: [], availableUnits: value, external };
  }

  private async fresh(question: string, ask: () => Promise<number>): Promise<{ value: number; at: number; cached: boolean }> {
    const now = this.clock.nowMs();
    try {
      const value = await ask();
      if (this.lastAnswers.size >= EXTERNAL_CACHE_MAX) this.lastAnswers.clear();
      this.lastAnswers.set(question, { at: now, value });
      return { value, at: now, cached: false };
    } catch (error) {
      const last = this.lastAnswers.get(question);
      if (error instanceof ImsUnavailableError && last && now - last.at <= EXTERNAL_CACHE_MS) {
        return { value: last.value as number, at: last.at, cached: true };
      }
      throw error;
    }
  }

  /** The window with its defaults, checked: `to` after `from`, at most a year and a day long. */
  private window(query: AvailabilityQueryDto, now: Date): { from: Date; to: Date } {
    const from = query.from ? new Date(query.from) : now;
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + DEFAULT_AVAILABILITY_DAYS * DAY_MS);
    if (to <= from) {
      throw new AppError('VALIDATION_FAILED', 'The window must end after it starts', [
        { field: 'to', message: 'to must be after from' },
      ]);
    }
    if (to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY_MS) {
      throw new AppError('VALIDATION_FAILED', `The window may span at most ${MAX_AVAILABILITY_DAYS} days`, [
        { field: 'to', message: `to must be at most ${MAX_AVAILABILITY_DAYS} days after from` },
      ]);
    }
    return { from, to };
  }
}
