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
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseConnector } from '../database/database-connector.js';
/**
 * Readiness of the database: connected and migrated at start-up (`DatabaseConnector`),
 * then a `SELECT 1` through the app's own pool, with a timeout.
 */
let DatabaseHealthIndicator = class DatabaseHealthIndicator {
    constructor(dataSource, connector, indicators) {
        this.dataSource = dataSource;
        this.connector = connector;
        this.indicators = indicators;
    }
    check(timeoutMs) {
        return this.indicators
            .check('database')
            .attempt(async () => {
            if (!this.connector.connected)
                throw new Error('not connected yet (start-up keeps trying)');
            await this.dataSource.query('SELECT 1');
        })
            .withTimeout(timeoutMs);
    }
};
DatabaseHealthIndicator = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [DataSource,
        DatabaseConnector,
        HealthIndicatorService])
], DatabaseHealthIndicator);
export { DatabaseHealthIndicator };
//# sourceMappingURL=database.health.js.map