import { ChangeDetectionStrategy, ChangeDetectorRef, Component, OnInit } from '@angular/core';
import { DataService, SharedModule } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';

interface Summary {
    day: string;
    since: string;
    byOutcome: Array<{ outcome: 'SENT' | 'FAILED' | 'UNCERTAIN'; count: number }>;
    windows: Array<{
        period: 'HOUR' | 'DAY';
        sent: number;
        resetInSeconds: number;
        challengeAbove: number | null;
        anonymousLimit: number;
        limit: number;
        state: string;
    }>;
    spike: boolean;
    credit: number | null;
    creditError: string | null;
}

const SUMMARY = gql`
    query OtpOperationsSummary {
        otpOperationsSummary {
            day
            since
            byOutcome {
                outcome
                count
            }
            windows {
                period
                sent
                resetInSeconds
                challengeAbove
                anonymousLimit
                limit
                state
            }
            spike
            credit
            creditError
        }
    }
`;

/** Customers → «SMS and login»: today's login-code sends by outcome, the SMS.ir credit and the send windows. */
@Component({
    selector: 'sms-login-page',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    template: `
        <vdr-page-block>
            <vdr-action-bar>
                <vdr-ab-left>
                    @if (summary) {
                        <p class="intro" data-testid="sms-day">
                            {{ 'sms-otp.today' | translate }}: {{ summary.since | localeDate: 'longDate' }}
                        </p>
                    }
                </vdr-ab-left>
                <vdr-ab-right>
                    <button class="btn btn-secondary" (click)="load()">
                        <clr-icon shape="refresh"></clr-icon> {{ 'sms-otp.refresh' | translate }}
                    </button>
                </vdr-ab-right>
            </vdr-action-bar>
        </vdr-page-block>
        @if (summary) {
            <vdr-page-block>
                @if (summary.spike) {
                    <div class="alert alert-danger spike" role="alert" data-testid="sms-spike">
                        <clr-icon shape="exclamation-triangle"></clr-icon>
                        {{ 'sms-otp.spike-warning' | translate }}
                    </div>
                }
                <div class="tiles">
                    @for (o of summary.byOutcome; track o.outcome) {
                        <vdr-card [attr.data-outcome]="o.outcome">
                            <div class="tile-label">{{ 'sms-otp.outcome.' + o.outcome | translate }}</div>
                            <div class="tile-value" data-testid="outcome-count">{{ o.count | number }}</div>
                        </vdr-card>
                    }
                    <vdr-card data-testid="sms-credit">
                        <div class="tile-label">{{ 'sms-otp.credit' | translate }}</div>
                        @if (summary.credit !== null) {
                            <div class="tile-value" data-testid="credit-value">
                                {{ summary.credit | number }}
                            </div>
                        } @else {
                            <div class="tile-value unknown">—</div>
                            <div class="credit-error">
                                {{ 'sms-otp.credit-unknown' | translate }} ({{ summary.creditError }})
                            </div>
                        }
                    </vdr-card>
                </div>
                <vdr-card [title]="'sms-otp.windows-title' | translate" data-testid="sms-windows">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>{{ 'sms-otp.window' | translate }}</th>
                                <th>{{ 'sms-otp.sent' | translate }}</th>
                                <th>{{ 'sms-otp.challenge-above' | translate }}</th>
                                <th>{{ 'sms-otp.anonymous-limit' | translate }}</th>
                                <th>{{ 'sms-otp.limit' | translate }}</th>
                                <th>{{ 'sms-otp.state' | translate }}</th>
                            </tr>
                        </thead>
                        <tbody>
                            @for (w of summary.windows; track w.period) {
                                <tr [attr.data-period]="w.period">
                                    <td>{{ 'sms-otp.period.' + w.period | translate }}</td>
                                    <td>{{ w.sent | number }}</td>
                                    <td>
                                        {{ w.challengeAbove === null ? '—' : (w.challengeAbove | number) }}
                                    </td>
                                    <td>{{ w.anonymousLimit | number }}</td>
                                    <td>{{ w.limit | number }}</td>
                                    <td>
                                        <vdr-chip [colorType]="w.state === 'OPEN' ? 'success' : 'error'">
                                            {{ 'sms-otp.window-state.' + w.state | translate }}
                                        </vdr-chip>
                                    </td>
                                </tr>
                            }
                        </tbody>
                    </table>
                </vdr-card>
            </vdr-page-block>
        }
    `,
    styles: [
        `
            .tiles {
                display: grid;
                grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
                gap: calc(var(--space-unit) * 2);
                margin-bottom: calc(var(--space-unit) * 3);
            }
            .tile-label {
                color: var(--color-weight-600);
            }
            .tile-value {
                font-size: 1.6rem;
                font-weight: bold;
            }
            .credit-error {
                font-size: var(--font-size-xs);
                color: var(--color-error-700);
            }
            .spike {
                margin-bottom: calc(var(--space-unit) * 2);
                padding: calc(var(--space-unit) * 2);
            }
            .intro {
                margin: 0;
            }
        `,
    ],
})
export class SmsLoginPageComponent implements OnInit {
    summary: Summary | undefined;

    constructor(
        private readonly dataService: DataService,
        private readonly changeDetector: ChangeDetectorRef,
    ) {}

    ngOnInit(): void {
        this.load();
    }

    load(): void {
        this.dataService
            .query<{ otpOperationsSummary: Summary }>(SUMMARY, {}, 'network-only')
            .single$.subscribe(data => {
                this.summary = data.otpOperationsSummary;
                this.changeDetector.markForCheck();
            });
    }
}
