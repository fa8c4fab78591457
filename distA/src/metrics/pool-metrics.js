var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from './metrics.registry.js';
/**
 * Gauges of the node-postgres pool behind TypeORM's DataSource, read at scrape time.
 * TypeORM's Postgres driver keeps that pool as `driver.master` (typeorm 1.1.1,
 * `PostgresDriver.connect()`; it is undefined before connecting and after `destroy()`,
 * when every gauge reads 0).
 */
let PoolMetrics = class PoolMetrics {
    constructor(registry, dataSource) {
        const pool = () => dataSource.driver.master;
        const gauge = (name, help, read) => new Gauge({
            name,
            help,
            registers: [registry],
            collect() {
                const p = pool();
                this.set(p ? read(p) : 0);
            },
        });
        gauge('db_pool_connections', 'Open connections in the database pool, busy or idle', (p) => p.totalCount);
        gauge('db_pool_idle_connections', 'Open connections in the database pool that are idle', (p) => p.idleCount);
        gauge('db_pool_waiting_clients', 'Queries waiting for a free connection from the database pool', (p) => p.waitingCount);
        gauge('db_pool_max_connections', 'The size limit of the database pool (DB_POOL_SIZE)', (p) => p.options.max);
    }
};
PoolMetrics = __decorate([
    Injectable(),
    __param(1, InjectDataSource()),
    __metadata("design:paramtypes", [MetricsRegistry, Function])
], PoolMetrics);
export { PoolMetrics };
//# sourceMappingURL=pool-metrics.js.map