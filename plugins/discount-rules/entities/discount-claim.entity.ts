import { DeepPartial, ID } from '@vendure/common/lib/shared-types';
import { EntityId, Order, VendureEntity } from '@vendure/core';
import { Column, Entity, Index, ManyToOne } from 'typeorm';

/**
 * One use of a one-time discount, held by the order that went to payment with it: one row per rule scope,
 * shopper identity (customer, email or mobile) and slot. The unique index is what makes the use atomic: of
 * two checkouts of one shopper, only one can insert the row, whatever server instance runs them. Deleted when
 * the order is cancelled or goes back to AddingItems (and with the order).
 */
@Entity('discount_claim')
@Index(['scope', 'identityHash', 'slot'], { unique: true })
export class DiscountClaim extends VendureEntity {
    constructor(input?: DeepPartial<DiscountClaim>) {
        super(input);
    }

    /** What is used: `first-order`, or `mobile-limit:<promotion id>` for a limit of uses per mobile. */
    @Column({ type: 'varchar', length: 64 })
    scope: string;

    /** `customer`, `email` or `mobile`: which identity of the shopper the row stands for (for diagnostics). */
    @Column({ type: 'varchar', length: 16 })
    identityKind: string;

    /** SHA-256 (hex) of `<kind>:<value>`, e.g. of `mobile:09121234567`: a fixed-length key for the index. */
    @Column({ type: 'varchar', length: 64 })
    identityHash: string;

    /** 0 … limit - 1: a limit of N uses per mobile has N slots per mobile; the first order has one. */
    @Column({ type: 'int' })
    slot: number;

    @ManyToOne(() => Order, { onDelete: 'CASCADE' })
    order: Order;

    @Index()
    @EntityId()
    orderId: ID;
}
