import { ChangeDetectionStrategy, ChangeDetectorRef, Component, OnInit } from '@angular/core';
import { DataService, NotificationService, SharedModule } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';

import { downloadPostexLabel } from './label-download';

interface Creation {
    fulfillmentId: string;
    orderId: string;
    orderCode: string;
    createdAt: string;
    status: 'QUEUED' | 'RETRYING' | 'FAILED' | 'NO_JOB';
    error: string | null;
    attempts: number;
}

interface Label {
    fulfillmentId: string;
    orderId: string;
    orderCode: string;
    parcelNo: string;
    trackingCode: string | null;
    createdAt: string;
}

interface CodDelivery {
    fulfillmentId: string;
    orderId: string;
    orderCode: string;
    parcelNo: string | null;
    paymentId: string;
    amount: number;
    deliveredAt: string;
}

interface Attention {
    creations: Creation[];
    labelsToPrint: Label[];
    codUnsettled: CodDelivery[];
}

const NEEDING_ATTENTION = gql`
    query PostexParcelsNeedingAttention {
        postexParcelsNeedingAttention {
            creations {
                fulfillmentId
                orderId
                orderCode
                createdAt
                status
                error
                attempts
            }
            labelsToPrint {
                fulfillmentId
                orderId
                orderCode
                parcelNo
                trackingCode
                createdAt
            }
            codUnsettled {
                fulfillmentId
                orderId
                orderCode
                parcelNo
                paymentId
                amount
                deliveredAt
            }
        }
    }
`;

const RETRY = gql`
    mutation RetryPostexParcelCreation($fulfillmentId: ID!) {
        retryPostexParcelCreation(fulfillmentId: $fulfillmentId) {
            __typename
            ... on ErrorResult {
                message
            }
        }
    }
`;

const SETTLE_PAYMENT = gql`
    mutation SettlePostexCodPayment($id: ID!) {
        settlePayment(id: $id) {
            __typename
            ... on ErrorResult {
                message
            }
        }
    }
`;

/**
 * Sales → «Parcels needing attention»: Postex parcels not created yet (retry), labels to print, and delivered
 * cash-on-delivery orders whose payment is not settled, each with the order link.
 */
@Component({
    selector: 'postex-parcels-page',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    templateUrl: './postex-parcels-page.component.html',
    styleUrls: ['./postex-parcels-page.component.scss'],
})
export class PostexParcelsPageComponent implements OnInit {
    attention: Attention | undefined;
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
            .query<{ postexParcelsNeedingAttention: Attention }>(NEEDING_ATTENTION, {}, 'network-only')
            .single$.subscribe(data => {
                this.attention = data.postexParcelsNeedingAttention;
                this.changeDetector.markForCheck();
            });
    }

    retry(creation: Creation): void {
        this.run(RETRY, { fulfillmentId: creation.fulfillmentId }, 'postex-shipping.retry-queued');
    }

    settle(cod: CodDelivery): void {
        this.run(SETTLE_PAYMENT, { id: cod.paymentId }, 'postex-shipping.cod-settled');
    }

    downloadLabel(label: Label): void {
        this.busy = true;
        downloadPostexLabel(this.dataService, this.notificationService, label.fulfillmentId).subscribe({
            error: () => this.done(),
            complete: () => this.done(),
        });
    }

    private run(document: ReturnType<typeof gql>, variables: Record<string, unknown>, success: string): void {
        this.busy = true;
        this.dataService
            .mutate<Record<string, { __typename: string; message?: string }>>(document, variables)
            .subscribe({
                next: data => {
                    const result = Object.values(data)[0];
                    if (result?.message) {
                        this.notificationService.error(result.message);
                    } else {
                        this.notificationService.success(success);
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
