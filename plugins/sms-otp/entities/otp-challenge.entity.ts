import { DeepPartial, ID } from '@vendure/common/lib/shared-types';
import { EntityId, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

import { OtpPurpose, OtpSendOutcome } from '../types';

/**
 * One code sent (or attempted) to one number: the send log support staff read, and the challenge a login
 * checks. The code itself is never stored, only its keyed hash.
 */
@Entity()
@Index(['phoneNumber', 'purpose', 'createdAt'])
export class OtpChallenge extends VendureEntity {
    constructor(input?: DeepPartial<OtpChallenge>) {
        super(input);
    }

    /** Canonical `09xxxxxxxxx`. */
    @Column({ type: 'varchar', length: 11 })
    phoneNumber: string;

    @Column({ type: 'varchar', length: 8 })
    purpose: OtpPurpose;

    /** The logged-in user a LINK code was sent for; null for LOGIN. */
    @EntityId({ nullable: true })
    userId: ID | null;

    @Column({ type: 'varchar', length: 12 })
    outcome: OtpSendOutcome;

    /** Why the send failed (`invalid-api-key`, `timeout`, ...), null when sent. */
    @Column({ type: 'varchar', length: 40, nullable: true })
    failureReason: string | null;

    /** SMS.ir's `status` when the send failed with one. */
    @Column({ type: 'int', nullable: true })
    providerStatus: number | null;

    @Column({ type: 'varchar', length: 32, nullable: true })
    providerMessageId: string | null;

    /** HMAC-SHA256 (hex) of the code; see `hashOtpCode`. */
    @Column({ type: 'varchar', length: 64 })
    codeHash: string;

    @Column()
    expiresAt: Date;

    /** Tries so far, right and wrong; raised atomically before each comparison. */
    @Column({ type: 'int', default: 0 })
    attempts: number;

    @Column({ type: 'boolean', default: false })
    consumed: boolean;
}
