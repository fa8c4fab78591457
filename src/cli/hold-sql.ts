import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { holdSqlDocBlock, withHoldSqlDocBlock } from '../reservations/hold-statement.example';
import { runCli } from './with-database';

const DOC = 'docs/inventory.md';

/**
 * `npm run docs:hold-sql`: writes the one-statement hold, as `oneSlotHoldStatement`
 * composes it, into docs/inventory.md between its hold-sql markers. `--print` prints it
 * instead. Run from the repository root, after changing any fragment of the statement;
 * src/reservations/hold-statement.spec.ts fails while the docs differ.
 */
runCli(async () => {
  const { values } = parseArgs({ options: { print: { type: 'boolean' } }, strict: true });
  const block = holdSqlDocBlock();
  if (values.print) {
    process.stdout.write(`${block}\n`);
    return;
  }
  const before = readFileSync(DOC, 'utf8');
  const after = withHoldSqlDocBlock(before, block);
  if (after !== before) writeFileSync(DOC, after);
  process.stdout.write(`${DOC}: ${after === before ? 'already up to date' : 'hold statement updated'}\n`);
});
