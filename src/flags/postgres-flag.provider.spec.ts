import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { TestClock } from '@holdfast/clock';
import type { FeatureFlag } from './flags.types';
import { FLAG_CACHE_TTL_MS, PostgresFlagProvider } from './postgres-flag.provider';

const flag = (key: string, enabled: boolean): FeatureFlag => ({
  key,
  enabled,
  variant: null,
  description: '',
  updatedBy: 'test',
  updatedAt: new Date(0),
});

/** A table the provider reads, counting its reads by way; `gate` holds a read until opened. */
function table(rows: FeatureFlag[]) {
  const reads = { inline: 0, aside: 0 };
  let gate: Promise<void> = Promise.resolve();
  return {
    rows,
    reads,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return open;
    },
    load: {
      inline: async () => {
        reads.inline++;
        await gate;
        return [...rows];
      },
      aside: async () => {
        reads.aside++;
        await gate;
        return [...rows];
      },
    },
  };
}

const logger = new Logger('flags-spec');
const enabled = async (provider: PostgresFlagProvider, key: string) =>
  (await provider.resolveBooleanEvaluation(key, false)).value;

describe('PostgresFlagProvider', () => {
  it('with nothing read yet, waits for a read on the caller’s own transaction (inline)', async () => {
    const t = table([flag('a', true)]);
    const provider = new PostgresFlagProvider(t.load, new TestClock(), logger);
    expect(await enabled(provider, 'a')).toBe(true);
    expect(t.reads).toEqual({ inline: 1, aside: 0 });
  });

  it('once expired, answers the last values at once and reads the table once in the background (aside)', async () => {
    const t = table([flag('a', true)]);
    const clock = new TestClock();
    const provider = new PostgresFlagProvider(t.load, clock, logger);
    expect(await enabled(provider, 'a')).toBe(true);
    t.rows[0] = flag('a', false);
    clock.advance(FLAG_CACHE_TTL_MS);
    const open = t.hold(); // the background read cannot finish yet
    expect(await enabled(provider, 'a')).toBe(true); // did not wait for it
    expect(await enabled(provider, 'a')).toBe(true);
    expect(t.reads).toEqual({ inline: 1, aside: 1 }); // one read shared by both evaluations
    open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await enabled(provider, 'a')).toBe(false);
    clock.reset();
  });

  it('serves a flip of this process at once, and a read that started before it cannot bring the old value back', async () => {
    const t = table([flag('a', true)]);
    const clock = new TestClock();
    const provider = new PostgresFlagProvider(t.load, clock, logger);
    expect(await enabled(provider, 'a')).toBe(true);
    clock.advance(FLAG_CACHE_TTL_MS);
    const open = t.hold();
    expect(await enabled(provider, 'a')).toBe(true); // starts a background read of the old row
    provider.applied({ key: 'a', enabled: false, variant: null });
    expect(await enabled(provider, 'a')).toBe(false);
    open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await enabled(provider, 'a')).toBe(false); // the older read was dropped
    clock.reset();
  });

  it('warm() fills the cache in the background, so the first evaluation does not read', async () => {
    const t = table([flag('a', true)]);
    const provider = new PostgresFlagProvider(t.load, new TestClock(), logger);
    provider.warm();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await enabled(provider, 'a')).toBe(true);
    expect(t.reads).toEqual({ inline: 0, aside: 1 });
  });
});
