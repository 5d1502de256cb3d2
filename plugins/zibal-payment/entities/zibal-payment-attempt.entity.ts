import { DeepPartial, Money, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

import { ZibalAttemptEvent, ZibalAttemptState } from '../types';

/** One Zibal payment attempt: a trackId for an order and an amount, and what became of it. */
@Entity('zibal_payment_attempt')
export class ZibalPaymentAttempt extends VendureEntity {
    constructor(input?: DeepPartial<ZibalPaymentAttempt>) {
        super(input);
    }

    /** Zibal's trackId (numbers above 2^31, so stored as text). */
    @Index({ unique: true })
    @Column({ type: 'varchar', length: 32 })
    trackId: string;

    @Index()
    @Column({ type: 'varchar', length: 64 })
    orderId: string;

    @Column({ type: 'varchar', length: 64 })
    orderCode: string;

    @Column({ type: 'varchar', length: 64 })
    channelToken: string;

    /** Code of the PaymentMethod (with the `zibal` handler) the payment is added with. */
    @Column({ type: 'varchar', length: 64 })
    paymentMethodCode: string;

    /** The amount requested from Zibal, in money units (Rial x 100): the only amount that may be settled for this attempt. */
    @Money()
    amount: number;

    @Index()
    @Column({ type: 'varchar', length: 16 })
    state: ZibalAttemptState;

    /** Zibal's transaction status code, as last reported by verify or inquiry. */
    @Column({ type: 'int', nullable: true })
    zibalStatus: number | null;

    @Column({ type: 'varchar', length: 64, nullable: true })
    refNumber: string | null;

    @Column({ type: 'varchar', length: 32, nullable: true })
    maskedCardNumber: string | null;

    @Column({ type: 'varchar', length: 40, nullable: true })
    paidAt: string | null;

    /** Which process holds the attempt in `verifying`, and until when. */
    @Column({ type: 'varchar', length: 64, nullable: true })
    claimToken: string | null;

    @Column({ type: 'bigint', nullable: true })
    claimExpiresAt: string | number | null;

    @Column({ type: 'varchar', length: 64, nullable: true })
    paymentId: string | null;

    @Column({ type: 'simple-json' })
    history: ZibalAttemptEvent[];
}
