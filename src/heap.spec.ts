import { describe, expect, it } from '@jest/globals';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from './heap';

describe('boundHeapGrowth', () => {
  it('sets V8 heap growing percent when the operator did not', () => {
    const set: string[] = [];
    expect(boundHeapGrowth([], '--max-old-space-size=512', (flags) => set.push(flags))).toBe(HEAP_GROWING_PERCENT);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it('leaves a percent chosen on the command line or in NODE_OPTIONS alone', () => {
    const set: string[] = [];
    expect(boundHeapGrowth(['--heap-growing-percent=100'], '', (flags) => set.push(flags))).toBeNull();
    expect(boundHeapGrowth([], '--enable-source-maps --heap-growing-percent=20', (flags) => set.push(flags))).toBeNull();
    expect(set).toEqual([]);
  });
});
