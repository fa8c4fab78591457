/**
 * At most `permits` holders per key at once in this process; the others wait here, in
 * memory, first come first served. For work that would otherwise wait on a database lock
 * while holding a pooled connection (takers of one rental offering queue on its advisory
 * lock): the queue forms here instead, so the pool stays free for everybody else.
 *
 * Several keys are taken in sorted order, so two callers with overlapping key sets never
 * wait on each other in a cycle. It is only an economy: correctness across processes and
 * replicas is the database lock's.
 */
export class KeyedGate {
  private readonly gates = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(private readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error('KeyedGate needs at least one permit');
  }

  /** Runs `fn` once a permit of every key is held; gives them back however `fn` ends. */
  async run<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const held: string[] = [];
    try {
      for (const key of sorted) {
        await this.acquire(key);
        held.push(key);
      }
      return await fn();
    } finally {
      for (const key of held.reverse()) this.release(key);
    }
  }

  /** How many callers hold or wait for a key (for tests and metrics). */
  load(key: string): number {
    const gate = this.gates.get(key);
    return gate ? gate.active + gate.waiting.length : 0;
  }

  private acquire(key: string): Promise<void> {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = { active: 0, waiting: [] };
      this.gates.set(key, gate);
    }
    if (gate.active < this.permits) {
      gate.active++;
      return Promise.resolve();
    }
    const queue = gate.waiting;
    return new Promise((resolve) => queue.push(resolve));
  }

  private release(key: string): void {
    const gate = this.gates.get(key);
    if (!gate) return;
    const next = gate.waiting.shift();
    if (next) {
      next(); // the permit passes straight to the next in line
      return;
    }
    gate.active--;
    if (gate.active === 0) this.gates.delete(key);
  }
}
