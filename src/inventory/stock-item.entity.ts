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

/** Stock of one SKU of a product. Available = on_hand - held - sold. */
@Entity({ name: 'stock_items' })
@Check('chk_stock_items_counters', `"held" >= 0 AND "sold" >= 0 AND "held" + "sold" <= "on_hand"`)
@Index('idx_stock_items_offering', ['offeringId'])
export class StockItemEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'offering_id', type: 'uuid' })
  offeringId!: string;

  @ManyToOne(() => OfferingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id' })
  offering?: OfferingEntity;

  @Column({ type: 'text', unique: true })
  sku!: string;

  @Column({ name: 'on_hand', type: 'integer' })
  onHand!: number;

  @Column({ type: 'integer', default: 0 })
  held!: number;

  @Column({ type: 'integer', default: 0 })
  sold!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
