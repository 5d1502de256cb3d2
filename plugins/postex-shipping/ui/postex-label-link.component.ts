import { ChangeDetectionStrategy, ChangeDetectorRef, Component } from '@angular/core';
import { FormControl } from '@angular/forms';
import { DataService, FormInputComponent, NotificationService, SharedModule } from '@vendure/admin-ui/core';

import { downloadPostexLabel } from './label-download';

/**
 * The fulfillment's `postexLabelUrl` field (`/postex/label/<fulfillmentId>`) as a download button. The plain
 * path needs a session that the browser does not send there (the admin session cookie is for `/admin-api`
 * only), so the button asks for a short-lived signed link and downloads that.
 */
@Component({
    selector: 'postex-label-link',
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
    template: `
        @if (fulfillmentId) {
            <button
                type="button"
                class="button-small"
                data-testid="postex-label-download"
                [disabled]="busy"
                (click)="download()"
            >
                <clr-icon shape="download"></clr-icon>
                {{ 'postex-shipping.download-label' | translate }}
            </button>
        } @else {
            <span>—</span>
        }
    `,
})
export class PostexLabelLinkComponent implements FormInputComponent {
    readonly: boolean;
    formControl: FormControl<string | null>;
    config: Record<string, unknown>;
    busy = false;

    constructor(
        private readonly dataService: DataService,
        private readonly notificationService: NotificationService,
        private readonly changeDetector: ChangeDetectorRef,
    ) {}

    get fulfillmentId(): string | undefined {
        const match = /\/postex\/label\/([^/?#]+)$/.exec(this.formControl?.value ?? '');
        return match ? decodeURIComponent(match[1]) : undefined;
    }

    download(): void {
        const id = this.fulfillmentId;
        if (!id || this.busy) {
            return;
        }
        this.busy = true;
        downloadPostexLabel(this.dataService, this.notificationService, id).subscribe({
            error: () => this.done(),
            complete: () => this.done(),
        });
    }

    private done(): void {
        this.busy = false;
        this.changeDetector.markForCheck();
    }
}
