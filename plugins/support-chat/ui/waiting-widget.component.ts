import { ChangeDetectionStrategy, Component, OnInit } from '@angular/core';
import { DataService, SharedModule } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';
import { Observable, startWith, switchMap, timer } from 'rxjs';

interface Waiting {
    count: number;
    oldestWaitingSince: string | null;
    longestWaitSeconds: number;
}

const WAITING = gql`
    query SupportChatWaiting {
        supportChatWaiting {
            count
            oldestWaitingSince
            longestWaitSeconds
        }
    }
`;

/** How often the widget asks again (the chat screen itself is live over the socket). */
const REFRESH_MS = 30_000;

/** Dashboard widget: shoppers waiting for a reply in the support chat and the longest wait. */
@Component({
    selector: 'support-chat-waiting-widget',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    template: `
        @if (waiting$ | async; as w) {
            <div class="waiting" data-testid="chat-waiting-widget">
                <div class="figure">
                    <div class="label">{{ 'support-chat.widget-waiting' | translate }}</div>
                    <div class="value" data-testid="chat-waiting-count" [class.alert]="w.count > 0">
                        {{ w.count | number }}
                    </div>
                </div>
                <div class="figure">
                    <div class="label">{{ 'support-chat.widget-longest-wait' | translate }}</div>
                    <div class="value" data-testid="chat-longest-wait">
                        @if (w.count) {
                            {{ waitText(w.longestWaitSeconds) | translate: waitParams(w.longestWaitSeconds) }}
                        } @else {
                            —
                        }
                    </div>
                </div>
                <a class="button-ghost" [routerLink]="['/extensions', 'support-chat']">
                    {{ 'support-chat.widget-open-chat' | translate }}
                </a>
            </div>
        }
    `,
    styles: [
        `
            .waiting {
                display: flex;
                flex-wrap: wrap;
                gap: calc(var(--space-unit) * 3);
                align-items: center;
            }
            .label {
                color: var(--color-weight-600);
            }
            .value {
                font-size: 1.6rem;
                font-weight: bold;
            }
            .value.alert {
                color: var(--color-error-700);
            }
        `,
    ],
})
export class SupportChatWaitingWidgetComponent implements OnInit {
    waiting$: Observable<Waiting>;

    constructor(private readonly dataService: DataService) {}

    ngOnInit(): void {
        this.waiting$ = timer(0, REFRESH_MS).pipe(
            switchMap(() =>
                this.dataService
                    .query<{ supportChatWaiting: Waiting }>(WAITING, {}, 'network-only')
                    .mapSingle(data => data.supportChatWaiting),
            ),
            startWith({ count: 0, oldestWaitingSince: null, longestWaitSeconds: 0 }),
        );
    }

    waitText(seconds: number): string {
        return seconds < 60
            ? 'support-chat.wait-seconds'
            : seconds < 3600
              ? 'support-chat.wait-minutes'
              : 'support-chat.wait-hours';
    }

    waitParams(seconds: number): Record<string, number> {
        return {
            seconds,
            minutes: Math.floor(seconds / 60),
            hours: Math.floor(seconds / 3600),
            rest: Math.floor((seconds % 3600) / 60),
        };
    }
}
