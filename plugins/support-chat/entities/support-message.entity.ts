import { DeepPartial, ID } from '@vendure/common/lib/shared-types';
import { EntityId, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

import { SenderType } from '../types';

/**
 * One message. `seq` grows by one within its conversation (1, 2, 3...): a reconnecting client sends the last
 * seq it has and gets the rest from here. `clientMessageId` makes a re-send idempotent.
 */
@Entity()
@Index(['conversationId', 'seq'], { unique: true })
@Index(['conversationId', 'clientMessageId'], { unique: true })
export class SupportMessage extends VendureEntity {
    constructor(input?: DeepPartial<SupportMessage>) {
        super(input);
    }

    @EntityId()
    conversationId: ID;

    @Column({ type: 'int' })
    seq: number;

    @Column({ type: 'varchar', length: 12 })
    senderType: SenderType;

    /** Customer or administrator id; null for a guest. */
    @Column({ type: 'varchar', length: 40, nullable: true })
    senderId: string | null;

    @Column({ type: 'varchar', length: 64 })
    clientMessageId: string;

    /** Plain text, trimmed; never HTML. */
    @Column({ type: 'text' })
    body: string;
}
