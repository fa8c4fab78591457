import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { oneSlotHoldStatement } from './hold-statement';
import { HOLD_SQL_DOC_BEGIN, HOLD_SQL_DOC_END, exampleOneSlotHold, holdSqlDocBlock } from './hold-statement.example';

/** The `$n` placeholders of a statement's text, in order of first use. */
const placeholders = (text: string): number[] => [...new Set([...text.matchAll(/\$(\d+)/g)].map(([, n]) => Number(n)))];

describe('the one-statement hold (oneSlotHoldStatement)', () => {
  it('has the text in the snapshot', () => {
    expect(oneSlotHoldStatement(exampleOneSlotHold()).text).toMatchSnapshot();
  });

  it('checks the start the hold was priced for only when the price depends on it', () => {
    const { text } = oneSlotHoldStatement(exampleOneSlotHold({ pricedStart: true }));
    expect(text).toMatchSnapshot();
    expect(text).toContain(`date_trunc('milliseconds', starts_at) = $`);
    expect(oneSlotHoldStatement(exampleOneSlotHold()).text).not.toContain('date_trunc');
  });

  it('depends on the shape of the hold only, never on its values', () => {
    const a = exampleOneSlotHold();
    const b = exampleOneSlotHold();
    b.hold.id = '00000000-0000-4000-8000-0000000000aa';
    b.key = { ...b.key, key: 'another-key' };
    b.allocationId = '00000000-0000-4000-8000-0000000000bb';
    b.keyExpiresAt = new Date('2031-01-01T00:00:00.000Z');
    const [first, second] = [oneSlotHoldStatement(a), oneSlotHoldStatement(b)];
    expect(second.text).toBe(first.text);
    expect(second.values).not.toEqual(first.values);
  });

  it('numbers every value once, $1 to $n', () => {
    for (const pricedStart of [false, true]) {
      const { text, values } = oneSlotHoldStatement(exampleOneSlotHold({ pricedStart }));
      expect(placeholders(text).sort((x, y) => x - y)).toEqual(values.map((_, i) => i + 1));
    }
  });

  it('writes what the hold says: its ids, the key and the stored response', () => {
    const example = exampleOneSlotHold();
    const { values } = oneSlotHoldStatement(example);
    expect(values).toEqual(
      expect.arrayContaining([
        example.hold.id,
        example.allocationId,
        example.key.scope,
        example.key.key,
        example.keyExpiresAt,
        example.hold.holdExpiresAt,
        JSON.stringify(example.hold.response),
      ]),
    );
  });

  it('refuses a hold that is not of exactly one time slot', () => {
    const cart = exampleOneSlotHold();
    cart.hold.lines = [...cart.hold.lines, ...cart.hold.lines];
    expect(() => oneSlotHoldStatement(cart)).toThrow('exactly one time-slot line');
  });

  it('is shown as generated in docs/inventory.md (npm run docs:hold-sql rewrites it)', () => {
    const doc = readFileSync(join(process.cwd(), 'docs/inventory.md'), 'utf8');
    const begin = doc.indexOf(HOLD_SQL_DOC_BEGIN);
    const end = doc.indexOf(HOLD_SQL_DOC_END);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    expect(doc.slice(begin + HOLD_SQL_DOC_BEGIN.length, end).trim()).toBe(holdSqlDocBlock());
  });
});
