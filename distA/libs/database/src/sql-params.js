/**
 * Numbers the parameters of a statement built from fragments owned by different modules
 * (each fragment calls `add` for its values and writes the `$n` it gets back). The SQL
 * text depends only on the order of the `add` calls, never on the values, so a statement
 * built the same way has the same text every time and can be prepared once.
 */
export class SqlParams {
    constructor() {
        this.values = [];
    }
    /** Appends a value and returns its placeholder, with a cast when one is given (`$3::uuid`). */
    add(value, cast) {
        this.values.push(value);
        return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
    }
}
//# sourceMappingURL=sql-params.js.map