const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for a syntactically valid UUID: anything else can name no row, and must not reach a uuid column. */
export function isUuid(value) {
    return UUID.test(value);
}
/**
 * The kind of an offering, or null if there is none with this id (a malformed id
 * included). A plain read of `offerings`: inventory depends on catalog's data, and
 * reading one column does not need catalog's service.
 */
export async function findOfferingKind(manager, id) {
    if (!isUuid(id))
        return null;
    const rows = (await manager.query(`SELECT kind FROM offerings WHERE id = $1`, [id]));
    return rows[0]?.kind ?? null;
}
//# sourceMappingURL=offering-kind.js.map