import { describe, expect, it } from '@jest/globals';
import { KeyedGate } from './keyed-gate';

/** A promise and the function that settles it, to hold a caller inside the gate. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedGate', () => {
  it('lets `permits` callers of a key in at once and the rest in arrival order; other keys pass freely', async () => {
    const gate = new KeyedGate(2);
    const started: string[] = [];
    const latches = new Map<string, ReturnType<typeof latch>>();
    const enter = (name: string, key: string) => {
      const l = latch();
      latches.set(name, l);
      return gate.run([key], async () => {
        started.push(name);
        await l.promise;
        return name;
      });
    };
    const runs = [enter('a', 'k'), enter('b', 'k'), enter('c', 'k'), enter('d', 'k'), enter('x', 'other')];
    await tick();
    expect(started).toEqual(['a', 'b', 'x']);
    expect(gate.load('k')).toBe(4);
    latches.get('b')!.open();
    await tick();
    expect(started).toEqual(['a', 'b', 'x', 'c']);
    for (const l of latches.values()) l.open();
    await tick();
    latches.get('d')!.open();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd', 'x']);
    expect(gate.load('k')).toBe(0);
  });

  it('gives the permits back when the work throws', async () => {
    const gate = new KeyedGate(1);
    await expect(gate.run(['k'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.load('k')).toBe(0);
    expect(await gate.run(['k'], () => Promise.resolve(7))).toBe(7);
  });

  it('takes several keys in sorted order, so overlapping key sets never wait on each other in a cycle', async () => {
    const gate = new KeyedGate(1);
    const first = latch();
    const one = gate.run(['b', 'a'], () => first.promise.then(() => 'one'));
    const two = gate.run(['a', 'b'], () => Promise.resolve('two'));
    const three = gate.run(['b'], () => Promise.resolve('three'));
    await tick();
    expect(gate.load('a')).toBe(2); // one holds it, two waits for it (and so does not hold b)
    first.open();
    expect(await Promise.all([one, two, three])).toEqual(['one', 'two', 'three']);
    expect([gate.load('a'), gate.load('b')]).toEqual([0, 0]);
  });
});
