import { ChangeDetectionStrategy, Component, OnInit } from '@angular/core';
import { FormGroup } from '@angular/forms';
import { CustomDetailComponent, DataService, SharedModule } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';
import { Observable, of, switchMap } from 'rxjs';

import { ZIBAL_ATTEMPT_FIELDS, ZibalAttempt } from './zibal-attempt';

const ORDER_ATTEMPTS = gql`
    query ZibalOrderAttempts($orderId: ID!) {
        zibalPaymentAttempts(orderId: $orderId) {
            ...ZibalAttemptFields
        }
    }
    ${ZIBAL_ATTEMPT_FIELDS}
`;

/** The order page's «Zibal payments» card: every trackId of the order, its state and what happened to it. */
@Component({
    selector: 'zibal-order-panel',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    template: `
        @if (attempts$ | async; as attempts) {
            @if (attempts.length) {
                <vdr-card
                    [title]="'zibal-payment.order-panel-title' | translate"
                    data-testid="zibal-order-panel"
                >
                    <table class="table zibal-attempts">
                        <thead>
                            <tr>
                                <th>{{ 'zibal-payment.track-id' | translate }}</th>
                                <th>{{ 'zibal-payment.amount' | translate }}</th>
                                <th>{{ 'zibal-payment.state-label' | translate }}</th>
                                <th>{{ 'zibal-payment.card' | translate }}</th>
                                <th>{{ 'zibal-payment.ref-number' | translate }}</th>
                                <th>{{ 'zibal-payment.created-at' | translate }}</th>
                            </tr>
                        </thead>
                        <tbody>
                            @for (a of attempts; track a.id) {
                                <tr [attr.data-track-id]="a.trackId">
                                    <td class="ltr">{{ a.trackId }}</td>
                                    <td>{{ a.amount | localeCurrency: 'IRR' }}</td>
                                    <td>
                                        <vdr-chip
                                            [colorType]="stateColor(a.state)"
                                            data-testid="attempt-state"
                                        >
                                            {{ 'zibal-payment.state.' + a.state | translate }}
                                        </vdr-chip>
                                    </td>
                                    <td class="ltr">{{ a.maskedCardNumber || '—' }}</td>
                                    <td class="ltr">{{ a.refNumber || '—' }}</td>
                                    <td>{{ a.createdAt | localeDate: 'short' }}</td>
                                </tr>
                                <tr class="history">
                                    <td colspan="6">
                                        @for (h of a.history; track $index) {
                                            <span class="event">
                                                {{ h.at | localeDate: 'short' }} —
                                                {{ 'zibal-payment.event.' + h.event | translate }}
                                                @if (h.note) {
                                                    <span class="note">({{ h.note }})</span>
                                                }
                                            </span>
                                        }
                                    </td>
                                </tr>
                            }
                        </tbody>
                    </table>
                </vdr-card>
            }
        }
    `,
    styles: [
        `
            .ltr {
                direction: ltr;
                unicode-bidi: isolate;
            }
            tr.history td {
                font-size: var(--font-size-xs);
                color: var(--color-weight-600);
                border-top: none;
            }
            .event {
                display: block;
            }
        `,
    ],
})
export class ZibalOrderPanelComponent implements CustomDetailComponent, OnInit {
    entity$: Observable<{ id: string }>;
    detailForm: FormGroup;
    attempts$: Observable<ZibalAttempt[]>;

    constructor(private readonly dataService: DataService) {}

    ngOnInit(): void {
        this.attempts$ = this.entity$.pipe(
            switchMap(order =>
                order?.id
                    ? this.dataService
                          .query<{ zibalPaymentAttempts: ZibalAttempt[] }, { orderId: string }>(
                              ORDER_ATTEMPTS,
                              { orderId: order.id },
                              'network-only',
                          )
                          .mapSingle(data => data.zibalPaymentAttempts)
                    : of([]),
            ),
        );
    }

    stateColor(state: string): 'success' | 'error' | 'warning' {
        return state === 'settled' || state === 'refunded'
            ? 'success'
            : state === 'refund-due' || state === 'failed'
              ? 'error'
              : 'warning';
    }
}
