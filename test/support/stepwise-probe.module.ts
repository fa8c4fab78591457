import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, HttpCode, Injectable, Module, type OnModuleInit, Post } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';

/*
 * TEST-ONLY. A route family that exercises `@Idempotent({ mode: 'stepwise' })` against
 * real Postgres, shaped like convert: the handler commits step 1 on its own (a
 * `probe_steps` row in state 'started'), calls a simulated third party, then commits
 * step 2 on its own (the row becomes 'done'). Mounted by
 * test/idempotency-stepwise.e2e-spec.ts through
 * `createTestApp({ imports: [StepwiseProbeModule] })`; never imported by src/.
 *
 * Each step is its own `txHost.run(...)`: were the interceptor to run the handler
 * inside a transaction of its own, the steps would join it, step 1 would not be
 * visible from another connection while the third-party call is held open, and
 * `callsInTransaction` would count it.
 */

export class StepwiseProbeDto {
  /** Free text stored with the steps; tests make it unique per case to count rows and calls. */
  @IsString()
  @MaxLength(200)
  label!: string;

  /** A second field, so tests can send the same body with its keys in another order. */
  @IsOptional()
  @IsString()
  note?: string;
}

export interface StepwiseResult {
  /** The `probe_steps` row this run wrote. */
  id: string;
  label: string;
  state: 'done';
  /** What the simulated third party answered: `ext-{label}-{n}` for its n-th call with the label. */
  providerRef: string;
}

/** Lets a test hold simulated third-party calls open and decide how they end. */
export interface ExternalHold {
  /** Resolves once every call this hold takes has reached the third party and is parked there. */
  parked: Promise<void>;
  /** Lets the parked calls answer. */
  release(): void;
  /** Makes the parked calls fail, as a provider error would. */
  fail(): void;
}

interface HoldState {
  slots: number;
  arrived: number;
  parked: () => void;
  outcome: Promise<void>;
}

const GATE_SAFETY_MS = 10_000;

const providerFailed = (): AppError => new AppError('PAYMENT_PROCESSING_FAILED', 'The simulated third party refused the call');

@Injectable()
export class StepwiseProbeService implements OnModuleInit {
  private readonly calls = new Map<string, number>();
  private readonly holds: HoldState[] = [];

  /** How many third-party calls were made while a transaction was open (must stay 0). */
  callsInTransaction = 0;

  constructor(private readonly txHost: TransactionHost) {}

  /** The table is not part of the app's migrations: it exists only in test databases. */
  async onModuleInit(): Promise<void> {
    await this.txHost.manager.query(`
      CREATE TABLE IF NOT EXISTS probe_steps (
        id uuid DEFAULT gen_random_uuid() PRIMARY KEY,
        label text NOT NULL,
        state text NOT NULL CHECK (state IN ('started', 'done')),
        provider_ref text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }

  /** How many times the simulated third party was called for a label. */
  externalCalls(label: string): number {
    return this.calls.get(label) ?? 0;
  }

  /**
   * Step 1 (committed), the third-party call (no transaction open), step 2 (committed).
   * With `fail`, the third party refuses after step 1 has committed.
   */
  async run(label: string, fail = false): Promise<StepwiseResult> {
    const id = await this.txHost.run(async () => {
      const [row] = (await this.txHost.manager.query(
        `INSERT INTO probe_steps (label, state) VALUES ($1, 'started') RETURNING id`,
        [label],
      )) as { id: string }[];
      return row.id;
    });
    const providerRef = await this.callExternal(label, fail);
    await this.txHost.run(async () => {
      await this.txHost.manager.query(`UPDATE probe_steps SET state = 'done', provider_ref = $2 WHERE id = $1`, [
        id,
        providerRef,
      ]);
    });
    return { id, label, state: 'done', providerRef };
  }

  /**
   * Holds the next `count` third-party calls open (later calls go straight through),
   * so a test can act while handlers are provably in flight, without relying on timing.
   * Holds armed one after the other take calls in that order.
   */
  holdNext(count = 1): ExternalHold {
    let parked!: () => void;
    let release!: () => void;
    let fail!: (error: Error) => void;
    const parkedPromise = new Promise<void>((resolve) => (parked = resolve));
    const outcome = new Promise<void>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    outcome.catch(() => undefined); // failed before a call awaited it: not an unhandled rejection
    this.holds.push({ slots: count, arrived: 0, parked, outcome });
    return { parked: parkedPromise, release: () => release(), fail: () => fail(providerFailed()) };
  }

  /** The simulated third party: counted, holdable, and failing on request. */
  private async callExternal(label: string, fail: boolean): Promise<string> {
    const n = this.externalCalls(label) + 1;
    this.calls.set(label, n);
    if (this.txHost.inTransaction) this.callsInTransaction += 1;
    const hold = this.holds[0];
    if (hold) {
      hold.arrived += 1;
      if (hold.arrived === hold.slots) {
        this.holds.shift();
        hold.parked();
      }
      // The safety timer must not keep the process alive once the hold is settled.
      await Promise.race([hold.outcome, sleep(GATE_SAFETY_MS, undefined, { ref: false })]);
    } else {
      await nextTurn();
    }
    if (fail) throw providerFailed();
    return `ext-${label}-${n}`;
  }
}

@Controller('test-stepwise')
export class StepwiseProbeController {
  constructor(private readonly probe: StepwiseProbeService) {}

  @Post('run')
  @HttpCode(200)
  @Idempotent({ required: true, mode: 'stepwise' })
  run(@Body() dto: StepwiseProbeDto): Promise<StepwiseResult> {
    return this.probe.run(dto.label);
  }

  @Post('fails')
  @HttpCode(200)
  @Idempotent({ required: true, mode: 'stepwise' })
  fails(@Body() dto: StepwiseProbeDto): Promise<StepwiseResult> {
    return this.probe.run(dto.label, true);
  }
}

/** TEST-ONLY: mount with `createTestApp({ imports: [StepwiseProbeModule] })`. */
@Module({
  controllers: [StepwiseProbeController],
  providers: [StepwiseProbeService],
})
export class StepwiseProbeModule {}
