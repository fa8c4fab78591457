import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, HttpCode, Injectable, Module, type OnModuleInit, Param, Post } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';

/*
 * TEST-ONLY. A tiny route family that exercises `@Idempotent()` against real Postgres:
 * each call inserts one row into `probe_effects`, so "how many effects did this key
 * produce" is a COUNT(*). Mounted by test/idempotency.e2e-spec.ts through
 * `createTestApp({ imports: [IdempotencyProbeModule] })`; never imported by src/.
 *
 * The service deliberately has no `@Transactional()`: its writes go through
 * `txHost.manager` and so land in whatever transaction the idempotency interceptor
 * opened. Were the interceptor to run the handler outside its transaction, each insert
 * would autocommit on its own and the tests would see the effect too early or survive a
 * rollback.
 */

export class ProbeDto {
  /** Free text stored with the effect; tests make it unique per case to count rows. */
  @IsString()
  @MaxLength(200)
  label!: string;

  /** A second field, so tests can send the same body with its keys in another order. */
  @IsOptional()
  @IsString()
  note?: string;
}

export interface ProbeEffect {
  id: string;
  label: string;
}

/** Lets a test see when `/slow` is inside its transaction and decide when it may finish. */
export interface SlowGate {
  /** Resolves once `/slow` has written its effect (so its key's lock is held). */
  entered: Promise<void>;
  /** Lets `/slow` return. */
  release(): void;
}

const SLOW_MS = 500;
const GATE_SAFETY_MS = 10_000;

@Injectable()
export class IdempotencyProbeService implements OnModuleInit {
  private gate: { entered: () => void; released: Promise<void> } | null = null;

  /** How many times `/fails` and `/fails-at-commit` have actually run their handler. */
  failedRuns = 0;

  constructor(private readonly txHost: TransactionHost) {}

  /**
   * The tables are not part of the app's migrations: they exist only in test databases.
   * `probe_commit_checks` has a deferred foreign key, so a bad row is refused only at
   * COMMIT, after the handler has returned and the key row has been written.
   */
  async onModuleInit(): Promise<void> {
    await this.txHost.manager.query(`
      CREATE TABLE IF NOT EXISTS probe_effects (
        id uuid DEFAULT gen_random_uuid() PRIMARY KEY,
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await this.txHost.manager.query(`
      CREATE TABLE IF NOT EXISTS probe_commit_checks (
        effect_id uuid NOT NULL REFERENCES probe_effects (id) DEFERRABLE INITIALLY DEFERRED
      )`);
  }

  /** Writes one effect, in the interceptor's transaction when there is one. */
  async record(label: string): Promise<ProbeEffect> {
    const [row] = (await this.txHost.manager.query('INSERT INTO probe_effects (label) VALUES ($1) RETURNING id, label', [
      label,
    ])) as ProbeEffect[];
    return { id: row.id, label: row.label };
  }

  /**
   * Writes one effect, then stays in the transaction: until the test releases an armed
   * gate (see {@link holdNextSlow}), else for ~500 ms.
   */
  async recordSlowly(label: string): Promise<ProbeEffect> {
    const effect = await this.record(label);
    const gate = this.gate;
    this.gate = null;
    if (gate) {
      gate.entered();
      // The safety timer must not keep the process alive once the gate is released.
      await Promise.race([gate.released, sleep(GATE_SAFETY_MS, undefined, { ref: false })]);
    } else {
      await sleep(SLOW_MS);
    }
    return effect;
  }

  /** Writes one effect, then fails: the effect must roll back and no key be stored. */
  async recordThenFail(label: string): Promise<never> {
    await this.record(label);
    this.failedRuns += 1;
    throw new AppError('NOT_ENOUGH_CAPACITY', 'The probe always fails after writing its effect');
  }

  /**
   * Writes one effect and returns normally, but leaves a row that breaks a deferred
   * foreign key: the database refuses the whole transaction at COMMIT, after the
   * interceptor has inserted the key row. Both must be gone afterwards.
   */
  async recordThenFailAtCommit(label: string): Promise<ProbeEffect> {
    const effect = await this.record(label);
    await this.txHost.manager.query('INSERT INTO probe_commit_checks (effect_id) VALUES (gen_random_uuid())');
    this.failedRuns += 1;
    return effect;
  }

  /**
   * Arms a gate for the next `/slow` call, so a test can send a second request while
   * the first is provably in flight, without relying on timing.
   */
  holdNextSlow(): SlowGate {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gate = { entered, released };
    return { entered: enteredPromise, release };
  }
}

@Controller('test-idempotency')
export class IdempotencyProbeController {
  constructor(private readonly probe: IdempotencyProbeService) {}

  @Post('required')
  @HttpCode(200)
  @Idempotent({ required: true })
  required(@Body() dto: ProbeDto): Promise<ProbeEffect> {
    return this.probe.record(dto.label);
  }

  @Post('optional')
  @Idempotent()
  optional(@Body() dto: ProbeDto): Promise<ProbeEffect> {
    return this.probe.record(dto.label);
  }

  @Post('slow')
  @HttpCode(200)
  @Idempotent({ required: true })
  slow(@Body() dto: ProbeDto): Promise<ProbeEffect> {
    return this.probe.recordSlowly(dto.label);
  }

  @Post('fails')
  @HttpCode(200)
  @Idempotent({ required: true })
  fails(@Body() dto: ProbeDto): Promise<never> {
    return this.probe.recordThenFail(dto.label);
  }

  @Post('fails-at-commit')
  @HttpCode(200)
  @Idempotent({ required: true })
  failsAtCommit(@Body() dto: ProbeDto): Promise<ProbeEffect> {
    return this.probe.recordThenFailAtCommit(dto.label);
  }

  @Post('items/:id')
  @HttpCode(200)
  @Idempotent({ required: true })
  item(@Param('id') id: string, @Body() dto: ProbeDto): Promise<ProbeEffect> {
    return this.probe.record(`${id}:${dto.label}`);
  }
}

/** TEST-ONLY: mount with `createTestApp({ imports: [IdempotencyProbeModule] })`. */
@Module({
  controllers: [IdempotencyProbeController],
  providers: [IdempotencyProbeService],
})
export class IdempotencyProbeModule {}
