import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { checkInventoryInvariants, type InvariantViolation } from './invariants';

/** The inventory invariants (DESIGN.md section 9, items 1 and 2) as a service, for the admin route and other modules' checks. */
@Injectable()
export class InvariantsService {
  constructor(private readonly txHost: TransactionHost) {}

  /**
   * Every inventory invariant violation, read from one snapshot: in a REPEATABLE READ
   * transaction of its own, or in the caller's if one is open (then it sees the
   * caller's uncommitted writes too).
   */
  checkInvariants(): Promise<InvariantViolation[]> {
    return this.txHost.run(() => checkInventoryInvariants(this.txHost.manager), 'REPEATABLE READ');
  }
}
