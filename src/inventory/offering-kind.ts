import type { CatalogService } from '../catalog/catalog.service';

/** The kinds of offering (DESIGN.md section 1), mirrored here for inventory's DTOs and checks. */
export type OfferingKind = 'experience' | 'product' | 'rental';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID: anything else can name no row, and must not reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The kind of an offering as it is now, or null if there is none with this id (a
 * malformed id included). Read through catalog's service: `offerings` is catalog's table.
 */
export async function findOfferingKind(catalog: CatalogService, id: string): Promise<OfferingKind | null> {
  if (!isUuid(id)) return null;
  return (await catalog.getOffering(id, { fresh: true }))?.kind ?? null;
}
