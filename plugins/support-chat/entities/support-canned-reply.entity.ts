import { DeepPartial } from '@vendure/common/lib/shared-types';
import { VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

/** A reply staff insert with a shortcut (e.g. `/shipping`). */
@Entity()
export class SupportCannedReply extends VendureEntity {
    constructor(input?: DeepPartial<SupportCannedReply>) {
        super(input);
    }

    @Index({ unique: true })
    @Column({ type: 'varchar', length: 40 })
    shortcut: string;

    @Column({ type: 'varchar', length: 120 })
    title: string;

    @Column({ type: 'text' })
    body: string;
}
