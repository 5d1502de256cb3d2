import { ChangeDetectionStrategy, ChangeDetectorRef, Component, OnInit } from '@angular/core';
import { DataService, NotificationService, SharedModule } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';

import { ZIBAL_ATTEMPT_FIELDS, ZibalAttempt } from './zibal-attempt';

interface PendingRefund {
    id: string;
    createdAt: string;
    orderId: string;
    orderCode: string;
    total: number;
    trackId: string | null;
    uncertain: boolean;
    reason: string | null;
    note: string | null;
}

interface Attention {
    refundDue: ZibalAttempt[];
    awaitingReconciliation: ZibalAttempt[];
    pendingRefunds: PendingRefund[];
}

const NEEDING_ATTENTION = gql`
    query ZibalPaymentsNeedingAttention {
        zibalPaymentsNeedingAttention {
            refundDue {
                ...ZibalAttemptFields
            }
            awaitingReconciliation {
                ...ZibalAttemptFields
            }
            pendingRefunds {
                id
                createdAt
                orderId
                orderCode
                total
                trackId
                uncertain
                reason
                note
            }
        }
    }
    ${ZIBAL_ATTEMPT_FIELDS}
`;

const MARK_REFUNDED = gql`
    mutation MarkZibalAttemptRefunded($attemptId: ID!, $note: String) {
        markZibalAttemptRefunded(attemptId: $attemptId, note: $note) {
            __typename
            ... on ErrorResult {
                message
            }
        }
    }
`;

const RECONCILE = gql`
    mutation ReconcileZibalPayments {
        reconcileZibalPayments {
            checked
            settled
            failed
            expired
        }
    }
`;

const SETTLE_REFUND = gql`
    mutation SettleZibalRefund($input: SettleRefundInput!) {
        settleRefund(input: $input) {
            __typename
            ... on ErrorResult {
                message
            }
        }
    }
`;

/**
 * Sales → «Payments needing attention»: money taken but not on an order (refund-due), attempts the
 * reconciliation has yet to settle, and Zibal refunds still Pending, each with the order link and the action.
 */
@Component({
    selector: 'zibal-payments-page',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    templateUrl: './zibal-payments-page.component.html',
    styleUrls: ['./zibal-payments-page.component.scss'],
})
export class ZibalPaymentsPageComponent implements OnInit {
    attention: Attention | undefined;
    notes: Record<string, string> = {};
    transactionIds: Record<string, string> = {};
    busy = false;

    constructor(
        private readonly dataService: DataService,
        private readonly notificationService: NotificationService,
        private readonly changeDetector: ChangeDetectorRef,
    ) {}

    ngOnInit(): void {
        this.load();
    }

    load(): void {
        this.dataService
            .query<{ zibalPaymentsNeedingAttention: Attention }>(NEEDING_ATTENTION, {}, 'network-only')
            .single$.subscribe(data => {
                this.attention = data.zibalPaymentsNeedingAttention;
                this.changeDetector.markForCheck();
            });
    }

    markRefunded(attempt: ZibalAttempt): void {
        this.run<{ markZibalAttemptRefunded: { __typename: string; message?: string } }>(
            MARK_REFUNDED,
            { attemptId: attempt.id, note: this.notes[attempt.id] || null },
            data => data.markZibalAttemptRefunded,
            'zibal-payment.marked-refunded',
        );
    }

    settleRefund(refund: PendingRefund): void {
        const transactionId = (this.transactionIds[refund.id] ?? '').trim();
        if (!transactionId) {
            this.notificationService.error('zibal-payment.transaction-id-required');
            return;
        }
        this.run<{ settleRefund: { __typename: string; message?: string } }>(
            SETTLE_REFUND,
            { input: { id: refund.id, transactionId } },
            data => data.settleRefund,
            'zibal-payment.refund-settled',
        );
    }

    reconcile(): void {
        this.busy = true;
        this.dataService
            .mutate<{
                reconcileZibalPayments: { checked: number; settled: number; failed: number; expired: number };
            }>(RECONCILE)
            .subscribe({
                next: ({ reconcileZibalPayments: r }) => {
                    this.notificationService.success('zibal-payment.reconciled', r);
                    this.busy = false;
                    this.load();
                },
                error: () => this.done(),
            });
    }

    private run<T>(
        document: ReturnType<typeof gql>,
        variables: Record<string, unknown>,
        pick: (data: T) => { __typename: string; message?: string },
        successMessage: string,
    ): void {
        this.busy = true;
        this.dataService.mutate<T>(document, variables).subscribe({
            next: data => {
                const result = pick(data);
                if (result.message) {
                    this.notificationService.error(result.message);
                } else {
                    this.notificationService.success(successMessage);
                }
                this.busy = false;
                this.load();
            },
            error: () => this.done(),
        });
    }

    private done(): void {
        this.busy = false;
        this.changeDetector.markForCheck();
    }
}
