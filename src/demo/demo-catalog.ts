import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { CatalogService } from '../catalog/catalog.service';
import { DatabaseConnector } from '../database/database-connector';
import { ExternalInventoryService } from '../inventory/external-inventory.service';
import { InventoryAdminService } from '../inventory/inventory-admin.service';
import { DemoConfig } from './demo.config';

/** How many offerings the demo catalog has. */
export const DEMO_OFFERINGS = 8;

/** Who the audit log names for the demo catalog's offerings, slots, stock and units. */
const DEMO_ACTOR = 'system:demo';

/** The demo's external items, kept by the simulated inventory system (IMS_MODE=simulated). */
export const DEMO_IMS_ITEMS = {
  carrierForSale: { itemId: 'IMS-CARRIER-XL', seed: { stock: 25 } },
  carrierForRent: { itemId: 'IMS-CARRIER-RENT', seed: { units: 4 } },
} as const;

/**
 * Loads a small catalog into an EMPTY database at start-up (DEMO_CATALOG; on by default
 * with the embedded database), so Swagger can be tried at once: two experiences with
 * slots over the coming weeks, a product with stock, a rental with units, two vehicles
 * (a minibus van and an electric car, with plates and rental policies), and two carriers
 * kept by the inventory system. Goes through
 * the same services as the admin API. An advisory lock and the emptiness check make it
 * run once even when several replicas start together.
 */
@Injectable()
export class DemoCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoCatalog.name);

  constructor(
    readonly txHost: TransactionHost,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryAdminService,
    private readonly config: DemoConfig,
    private readonly connector: DatabaseConnector,
    private readonly ims: ExternalInventoryService,
  ) {}

  /** At start-up, or once the database connects when start-up went on without it. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.loadCatalog) return;
    // The simulated IMS keeps its stock in memory: give it the demo's items on every start.
    if (this.ims.mode === 'simulated') {
      for (const { itemId, seed } of Object.values(DEMO_IMS_ITEMS)) this.ims.seedSimulated(itemId, seed);
    }
    await this.connector.whenConnected('loading the demo catalog', async () => {
      const loaded = await this.load(new Date());
      if (loaded) this.logger.log(`loaded the demo catalog (${loaded} offerings); browse it at GET /v1/catalog/offerings`);
    });
  }

  /** Loads the catalog if there are no offerings yet; returns how many offerings it created. */
  async load(now: Date): Promise<number> {
    return this.txHost.run(async () => {
      await this.txHost.rows(`SELECT pg_advisory_xact_lock(hashtext('holdfast:demo-catalog'))`);
      const n = await this.catalog.countOfferings();
      if (n > 0) return 0;

      const day = (offset: number, hourUtc: number) =>
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset, hourUtc));

      const kayak = await this.catalog.create(
        {
          kind: 'experience',
          title: 'Sunset kayak tour',
          description: 'Two hours on the bay at sunset, guide and gear included.',
          currency: 'EUR',
          basePrice: 10000,
          refundableUntilHours: 48,
          images: ['https://example.com/images/kayak.jpg'],
          pricingRules: {
            groupDiscount: { minQuantity: 5, percentOff: 15, type: 'group_5_plus' },
            earlyBird: { minDaysBefore: 14, percentOff: 10, type: 'early_bird' },
          },
        },
        DEMO_ACTOR,
      );
      for (let d = 1; d <= 28; d++) {
        await this.inventory.createSlot(
          kayak.id,
          {
            startsAt: day(d, 17).toISOString(),
            endsAt: day(d, 19).toISOString(),
            capacity: 12,
          },
          DEMO_ACTOR,
        );
      }

      const walk = await this.catalog.create(
        {
          kind: 'experience',
          title: 'Old town food walk',
          description: 'Six tastings in three hours.',
          currency: 'EUR',
          basePrice: 4500,
          refundableUntilHours: 24,
          pricingRules: { groupDiscount: { minQuantity: 4, amountOff: 1000, type: 'group_4_plus' } },
        },
        DEMO_ACTOR,
      );
      for (let d = 2; d <= 28; d += 2) {
        await this.inventory.createSlot(
          walk.id,
          {
            startsAt: day(d, 11).toISOString(),
            endsAt: day(d, 14).toISOString(),
            capacity: 8,
          },
          DEMO_ACTOR,
        );
      }

      const carrier = await this.catalog.create(
        {
          kind: 'product',
          title: 'Cat travel carrier',
          description: 'Airline-approved soft carrier.',
          currency: 'EUR',
          basePrice: 3900,
          weightGrams: 1200,
          pricingRules: { groupDiscount: { minQuantity: 3, percentOff: 10, type: 'multi_buy' } },
        },
        DEMO_ACTOR,
      );
      await this.inventory.putStock(
        carrier.id,
        [
          { sku: 'CARRIER-S', onHand: 20 },
          { sku: 'CARRIER-M', onHand: 15 },
          { sku: 'CARRIER-L', onHand: 5 },
        ],
        DEMO_ACTOR,
      );

      const van = await this.catalog.create(
        {
          kind: 'rental',
          title: 'Pet-friendly camper van',
          description: 'Per day, with crate mounts.',
          currency: 'EUR',
          basePrice: 8900,
          refundableUntilHours: 72,
          pricingRules: { earlyBird: { minDaysBefore: 30, percentOff: 5, type: 'early_bird' } },
        },
        DEMO_ACTOR,
      );
      for (const label of ['VAN-1', 'VAN-2', 'VAN-3']) await this.inventory.createUnit(van.id, { label }, DEMO_ACTOR);

      // Seeds 000/001: carriers whose stock the Inventory Management System keeps.
      await this.catalog.create(
        {
          kind: 'product',
          title: 'Hard-shell cat carrier XL',
          description: 'Airline-approved, stocked by our partner warehouse (the IMS).',
          currency: 'EUR',
          basePrice: 6900,
          weightGrams: 2400,
          refundableUntilHours: 0,
          inventorySource: 'external',
          externalItemId: DEMO_IMS_ITEMS.carrierForSale.itemId,
        },
        DEMO_ACTOR,
      );
      await this.catalog.create(
        {
          kind: 'rental',
          title: 'Cat carrier to rent',
          description: 'Per day; picked up and returned at the shop (the IMS keeps the units).',
          currency: 'EUR',
          basePrice: 500,
          refundableUntilHours: 24,
          inventorySource: 'external',
          externalItemId: DEMO_IMS_ITEMS.carrierForRent.itemId,
        },
        DEMO_ACTOR,
      );

      // Seed 002: vehicles with a rental policy (times in Paris), units with plates.
      const minibus = await this.catalog.create(
        {
          kind: 'rental',
          vehicle: true,
          title: 'Nine-seat minibus van',
          description: 'Per day; 250 km a day included; picked up and returned at the depot, keyless (unlock in the app).',
          currency: 'EUR',
          basePrice: 11900,
          images: ['https://example.com/images/minibus.jpg'],
          rentalPolicy: {
            pickupTime: '09:00',
            returnTime: '09:00',
            timeZone: 'Europe/Paris',
            deposit: 80000,
            cancellationFee: 5000,
            freeCancellationHours: 48,
            lateFeePerHour: 2500,
            refuelFeePerPercent: 150,
            kmAllowancePerDay: 250,
            feePerExtraKm: 35,
          },
        },
        DEMO_ACTOR,
      );
      for (const [label, plate] of [
        ['Minibus 1', 'GH-101-AA'],
        ['Minibus 2', 'GH-102-AB'],
        ['Minibus 3', 'GH-103-AC'],
      ]) {
        await this.inventory.createUnit(
          minibus.id,
          { label, plate, model: 'Renault Trafic Passenger', seats: 9, energy: 'fuel' },
          DEMO_ACTOR,
        );
      }

      const car = await this.catalog.create(
        {
          kind: 'rental',
          vehicle: true,
          title: 'Electric city car',
          description: 'Per day; 200 km a day included; charging cable in the boot, keyless (unlock in the app).',
          currency: 'EUR',
          basePrice: 5900,
          images: ['https://example.com/images/city-car.jpg'],
          rentalPolicy: {
            pickupTime: '10:00',
            returnTime: '09:30',
            timeZone: 'Europe/Paris',
            deposit: 50000,
            cancellationFee: 3000,
            freeCancellationHours: 24,
            lateFeePerHour: 2000,
            refuelFeePerPercent: 40,
            kmAllowancePerDay: 200,
            feePerExtraKm: 25,
          },
        },
        DEMO_ACTOR,
      );
      for (const [label, plate] of [
        ['City car 1', 'GK-201-EV'],
        ['City car 2', 'GK-202-EV'],
      ]) {
        await this.inventory.createUnit(
          car.id,
          { label, plate, model: 'Renault 5 E-Tech', seats: 5, energy: 'electric' },
          DEMO_ACTOR,
        );
      }

      return DEMO_OFFERINGS;
    });
  }
}
