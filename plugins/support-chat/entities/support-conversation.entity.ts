import { DeepPartial, ID } from '@vendure/common/lib/shared-types';
import { EntityId, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

import { ConversationStatus } from '../types';

/**
 * One support conversation of one shopper: a customer, or a guest known by the hash of their anonymous Vendure
 * session token until they log in (then `customerId` is set and the conversation follows them).
 */
@Entity()
@Index(['status', 'assigneeId'])
// Round-robin assignment reads each administrator's latest assignment.
@Index(['assigneeId', 'assignedAt'])
export class SupportConversation extends VendureEntity {
    constructor(input?: DeepPartial<SupportConversation>) {
        super(input);
    }

    @Index()
    @EntityId({ nullable: true })
    customerId: ID | null;

    /** SHA-256 of the guest's anonymous session token; kept after login so a reconnecting tab still matches. */
    @Index()
    @Column({ type: 'varchar', length: 64, nullable: true })
    guestKey: string | null;

    @Column({ type: 'varchar', length: 12, default: 'open' })
    status: ConversationStatus;

    /** Administrator id. */
    @EntityId({ nullable: true })
    assigneeId: ID | null;

    @Column({ type: Date, nullable: true })
    assignedAt: Date | null;

    /** The seq of the newest message; incremented atomically to number the next one. */
    @Column({ type: 'int', default: 0 })
    lastSeq: number;

    @Column({ type: 'int', default: 0 })
    unreadByStaff: number;

    @Column({ type: 'int', default: 0 })
    unreadByShopper: number;

    @Column({ type: 'int', default: 0 })
    lastReadSeqStaff: number;

    @Column({ type: 'int', default: 0 })
    lastReadSeqShopper: number;

    /** Seq of the newest staff message, and of the newest one the shopper was notified about. */
    @Column({ type: 'int', default: 0 })
    lastStaffSeq: number;

    @Column({ type: 'int', default: 0 })
    notifiedStaffSeq: number;

    @Column({ type: Date, nullable: true })
    lastMessageAt: Date | null;

    @Column({ type: Date, nullable: true })
    lastShopperMessageAt: Date | null;

    @Column({ type: Date, nullable: true })
    lastStaffMessageAt: Date | null;

    @Column({ type: Date, nullable: true })
    resolvedAt: Date | null;
}
