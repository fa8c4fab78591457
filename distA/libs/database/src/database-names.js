/** Replaces the database name in a postgres URL. */
export function withDatabaseName(url, database) {
    const parsed = new URL(url);
    parsed.pathname = `/${database}`;
    return parsed.toString();
}
/** The database name a postgres URL points at. */
export function databaseName(url) {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}
/** Quotes an identifier for SQL we must build by hand (CREATE DATABASE has no parameters). */
export function quoteIdent(name) {
    return `"${name.replace(/"/g, '""')}"`;
}
//# sourceMappingURL=database-names.js.map