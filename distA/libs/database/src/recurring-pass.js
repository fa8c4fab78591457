/**
 * A database pass repeated on an interval (expiry sweep, reconciliation, purges): it is
 * registered with Nest's SchedulerRegistry under `name`, never overlaps itself in one
 * process (a pass still running makes the next tick a no-op), logs a failed pass instead
 * of crashing, and `stop()` (call it in beforeApplicationShutdown, before the pool
 * closes) cancels the interval and waits for the pass in progress. Replica safety is the
 * pass's own business (FOR UPDATE SKIP LOCKED).
 */
export class RecurringPass {
    constructor(scheduler, name, logger) {
        this.scheduler = scheduler;
        this.name = name;
        this.logger = logger;
        this.running = null;
    }
    start(everyMs, pass) {
        const handle = setInterval(() => void this.tick(pass), everyMs);
        handle.unref();
        this.scheduler.addInterval(this.name, handle);
    }
    async stop() {
        if (this.scheduler.doesExist('interval', this.name))
            this.scheduler.deleteInterval(this.name);
        await this.running?.catch(() => undefined); // tick() has logged it
    }
    async tick(pass) {
        if (this.running)
            return; // the previous pass of this process is still going
        this.running = pass();
        try {
            await this.running;
        }
        catch (error) {
            this.logger.error({ err: error }, `${this.name} failed`);
        }
        finally {
            this.running = null;
        }
    }
}
//# sourceMappingURL=recurring-pass.js.map