var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { checkInventoryInvariants } from './invariants.js';
/** The inventory invariants (DESIGN.md section 9, items 1 and 2) as a service, for the admin route and other modules' checks. */
let InvariantsService = class InvariantsService {
    constructor(txHost) {
        this.txHost = txHost;
    }
    /**
     * Every inventory invariant violation, read from one snapshot: in a REPEATABLE READ
     * transaction of its own, or in the caller's if one is open (then it sees the
     * caller's uncommitted writes too).
     */
    checkInvariants() {
        return this.txHost.run(() => checkInventoryInvariants(this.txHost.manager), 'REPEATABLE READ');
    }
};
InvariantsService = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost])
], InvariantsService);
export { InvariantsService };
//# sourceMappingURL=invariants.service.js.map