import { type DynamicModule, Module } from '@nestjs/common';

/**
 * The app's clock: every reading of "now" that decides a business outcome (a hold's
 * expiry, an idempotency key's lifetime, a token's validity, a webhook's tolerance,
 * early-bird pricing, rate-limit windows) asks it, so a test can move time instead of
 * sleeping. Inject it (`constructor(private readonly clock: Clock)`); the class is its own
 * provider token.
 *
 * It cannot move PostgreSQL's `now()`: SQL that compares a row's time with `now()` (a
 * hold's `hold_expires_at`, a slot's `starts_at`, reconciliation's `updated_at`) follows
 * the database's clock. A test moves those by back-dating rows.
 *
 * Not for durations (metrics, timeouts, log timestamps): those read the system clock.
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract nowMs(): number;

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Whole seconds since the epoch (JWT and Stripe-Signature times). */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}

/** The system clock: production's. */
export class SystemClock extends Clock {
  nowMs(): number {
    return Date.now();
  }
}

/**
 * A clock a test moves. It runs with the system clock, shifted by an offset that starts
 * at 0 (so an app on it behaves as on the system clock until a test moves it): `advance`
 * adds to the offset, `set` makes now a given time, `reset` goes back to the system
 * clock. It never stands still, so code that waits for real time still sees it pass.
 */
export class TestClock extends Clock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves now forward by `ms` (backward when negative). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Makes now `date`; time runs on from there. */
  set(date: Date | number): void {
    this.offsetMs = (typeof date === 'number' ? date : date.getTime()) - Date.now();
  }

  /** Back to the system clock. */
  reset(): void {
    this.offsetMs = 0;
  }
}

/** Provides `Clock` to every module: the system clock, or the one given (a test's `TestClock`). */
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return { module: ClockModule, global: true, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
