import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { OfferingEntity } from '../catalog/offering.entity';
import type { FleetStatus, UnitStatus, VehicleEnergy } from './inventory.types';

/**
 * One rentable thing (a carrier, a van) of a rental offering. Vehicles (units of a
 * `vehicle` offering) also carry a plate, model, seats, energy, the fleet's id and the
 * fleet's status (DESIGN.md section 12).
 */
@Entity({ name: 'rental_units' })
@Check('chk_rental_units_status', `"status" IN ('available', 'maintenance', 'retired')`)
@Check('chk_rental_units_energy', `"energy" IS NULL OR "energy" IN ('fuel', 'electric')`)
@Check('chk_rental_units_seats', `"seats" IS NULL OR "seats" BETWEEN 1 AND 99`)
@Check('chk_rental_units_fleet_status', `"fleet_status" IN ('available', 'in_use', 'maintenance', 'out_of_service')`)
@Index('idx_rental_units_offering', ['offeringId'])
@Index('uq_rental_units_fleet_vehicle_id', ['fleetVehicleId'], { unique: true })
export class RentalUnitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'offering_id', type: 'uuid' })
  offeringId!: string;

  @ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id' })
  offering?: OfferingEntity;

  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'text', default: 'available' })
  status!: UnitStatus;

  @Column({ type: 'text', nullable: true })
  plate!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'integer', nullable: true })
  seats!: number | null;

  @Column({ type: 'text', nullable: true })
  energy!: VehicleEnergy | null;

  /** The fleet's id of the vehicle (its events' `vehicleId`); the plate unless an admin gave another. */
  @Column({ name: 'fleet_vehicle_id', type: 'text', nullable: true })
  fleetVehicleId!: string | null;

  /** Fed by the fleet (section 12) or set by an admin; `maintenance` and `out_of_service` are never held. */
  @Column({ name: 'fleet_status', type: 'text', default: 'available' })
  fleetStatus!: FleetStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
