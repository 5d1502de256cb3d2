import {
    describeFailure,
    mayHaveReachedServer,
    requestJson,
    TransportFailure,
} from '../../../src/http/json-http';
import { fromRial, toRial } from '../../../src/iran/money';
import { providerSpan } from '../../../src/observe/provider-span';

/** What Zibal's `result` codes mean (IPG v1). */
export const ZIBAL_RESULT_MESSAGES: Record<number, string> = {
    100: 'OK',
    102: 'Merchant not found',
    103: 'Merchant inactive',
    104: 'Merchant invalid',
    105: 'Amount must be greater than 1,000 Rial',
    106: 'Invalid callbackUrl',
    107: 'Invalid percentMode',
    108: 'Invalid multiplexing beneficiaries',
    109: 'Inactive multiplexing beneficiary',
    110: 'Invalid multiplexing amounts',
    111: 'Invalid multiplexing setting',
    112: 'Fee wallet balance too low',
    113: 'Amount above the transaction limit',
    114: 'Invalid national code',
    115: 'Server IP not registered with Zibal',
    201: 'Already verified',
    202: 'Order not paid or payment failed',
    203: 'Invalid trackId',
};

/** Zibal's transaction `status` codes. */
export const ZIBAL_STATUS_MESSAGES: Record<number, string> = {
    [-1]: 'Waiting for payment',
    [-2]: 'Internal error',
    1: 'Paid and verified',
    2: 'Paid, not verified',
    3: 'Cancelled by the payer',
    4: 'Invalid card number',
    5: 'Insufficient balance',
    6: 'Wrong PIN',
    7: 'Too many requests',
    8: 'Daily payment count exceeded',
    9: 'Daily payment amount exceeded',
    10: 'Invalid card issuer',
    11: 'Switch error',
    12: 'Card not accessible',
    15: 'Refunded',
    16: 'Refund in progress',
    18: 'Reversed',
    21: 'Invalid merchant',
};

export const ZIBAL_STATUS = { waiting: -1, paidVerified: 1, paidNotVerified: 2 } as const;

export interface ZibalTransaction {
    status: number;
    /** In money units (Rial x 100), converted from Zibal's Rial. */
    amount: number;
    refNumber: string | null;
    cardNumber: string | null;
    paidAt: string | null;
    orderId: string | null;
}

/**
 * The outcome of one call: Zibal's answer (any `result`), or why there was no usable answer. `uncertain`: the
 * request may have reached Zibal and been carried out (timeout after connecting, dropped connection, 5xx,
 * unreadable answer); false when it certainly was not (no connection, nothing configured).
 */
export type ZibalOutcome<T> =
    | { kind: 'ok'; result: number; message: string; data: T }
    | { kind: 'unavailable'; reason: string; httpStatus?: number; uncertain: boolean };

export interface ZibalClientConfig {
    merchant: string;
    apiUrl: string;
    platformApiUrl?: string;
    platformToken?: string;
    connectTimeoutMs: number;
    readTimeoutMs: number;
    /** Overall deadline of the calls a shopper waits for (payment start; verify and inquiry when asked). */
    shopperTimeoutMs: number;
}

/** `shopperWaiting`: the call ends within `shopperTimeoutMs` (a shopper waits for it). */
export interface ZibalCallOptions {
    shopperWaiting?: boolean;
}

/**
 * Zibal's IPG v1 (`/v1/request`, `/v1/verify`, `/v1/inquiry`) and the platform refund API.
 * None of the calls is retried here: `/v1/request` has no idempotency key, and verify/inquiry are retried by
 * the reconciliation task, which knows what state the attempt is in.
 */
export class ZibalClient {
    constructor(private readonly config: ZibalClientConfig) {}

    startUrl(trackId: string): string {
        return `${this.config.apiUrl}/start/${trackId}`;
    }

    /** `amount` in money units (Rial x 100); Zibal is sent whole Rials. */
    request(input: {
        amount: number;
        callbackUrl: string;
        orderId: string;
        mobile?: string;
        description?: string;
    }): Promise<ZibalOutcome<{ trackId: string | null }>> {
        const body = { merchant: this.config.merchant, ...input, amount: toRial(input.amount) };
        // The shopper waits for the payment page: always within the shopper's deadline.
        return this.call(
            '/v1/request',
            body,
            answer => ({ trackId: answer.trackId != null ? String(answer.trackId) : null }),
            { shopperWaiting: true },
        );
    }

    verify(trackId: string, options: ZibalCallOptions = {}): Promise<ZibalOutcome<ZibalTransaction>> {
        return this.call(
            '/v1/verify',
            { merchant: this.config.merchant, trackId: Number(trackId) },
            toTransaction,
            options,
        );
    }

    inquiry(trackId: string, options: ZibalCallOptions = {}): Promise<ZibalOutcome<ZibalTransaction>> {
        return this.call(
            '/v1/inquiry',
            { merchant: this.config.merchant, trackId: Number(trackId) },
            toTransaction,
            options,
        );
    }

    get canRefund(): boolean {
        return !!this.config.platformToken && !!this.config.platformApiUrl;
    }

    /** Zibal's platform refund (`POST /v1/account/refund`) of `amount` money units; `result` 1 means accepted. */
    refund(input: {
        trackId: string;
        amount: number;
        description: string;
    }): Promise<ZibalOutcome<{ refundId: string | null }>> {
        return traced('refund', () => this.refundOnce(input));
    }

    private async refundOnce(input: {
        trackId: string;
        amount: number;
        description: string;
    }): Promise<ZibalOutcome<{ refundId: string | null }>> {
        if (!this.canRefund) {
            return { kind: 'unavailable', reason: 'no platform token configured', uncertain: false };
        }
        const response = await requestJson(`${this.config.platformApiUrl}/v1/account/refund`, {
            body: {
                trackId: Number(input.trackId),
                amount: toRial(input.amount),
                description: input.description,
            },
            headers: { authorization: `Bearer ${this.config.platformToken}` },
            connectTimeoutMs: this.config.connectTimeoutMs,
            readTimeoutMs: this.config.readTimeoutMs,
        });
        return this.interpret(response, body => {
            const data = (body.data ?? {}) as Record<string, unknown>;
            return { refundId: data.refundId != null ? String(data.refundId) : null };
        });
    }

    private call<T>(
        path: '/v1/request' | '/v1/verify' | '/v1/inquiry',
        body: Record<string, unknown>,
        map: (body: Record<string, unknown>) => T,
        options: ZibalCallOptions,
    ): Promise<ZibalOutcome<T>> {
        return traced(path.slice('/v1/'.length), async () => {
            const response = await requestJson(`${this.config.apiUrl}${path}`, {
                body,
                connectTimeoutMs: this.config.connectTimeoutMs,
                readTimeoutMs: this.config.readTimeoutMs,
                ...(options.shopperWaiting ? { totalTimeoutMs: this.config.shopperTimeoutMs } : {}),
            });
            return this.interpret(response, map);
        });
    }

    private interpret<T>(
        response: Awaited<ReturnType<typeof requestJson>>,
        map: (body: Record<string, unknown>) => T,
    ): ZibalOutcome<T> {
        if (!response.ok) {
            return unavailable(response.failure, response.status);
        }
        const body = response.body as Record<string, unknown> | null;
        if (response.status >= 500) {
            return {
                kind: 'unavailable',
                reason: `HTTP ${response.status}`,
                httpStatus: response.status,
                uncertain: true,
            };
        }
        if (!body || typeof body !== 'object' || typeof body.result !== 'number') {
            return {
                kind: 'unavailable',
                reason: `unexpected answer (HTTP ${response.status})`,
                httpStatus: response.status,
                uncertain: true,
            };
        }
        return {
            kind: 'ok',
            result: body.result,
            message:
                typeof body.message === 'string' ? body.message : (ZIBAL_RESULT_MESSAGES[body.result] ?? ''),
            data: map(body),
        };
    }
}

function unavailable(failure: TransportFailure, httpStatus?: number): ZibalOutcome<never> {
    return {
        kind: 'unavailable',
        reason: describeFailure(failure),
        httpStatus,
        uncertain: mayHaveReachedServer(failure),
    };
}

function toTransaction(body: Record<string, unknown>): ZibalTransaction {
    const str = (v: unknown) => (v == null ? null : String(v));
    return {
        status: typeof body.status === 'number' ? body.status : Number.NaN,
        // Zibal answers in Rial; NaN (never equal to a stored amount) when it is not a whole number.
        amount: typeof body.amount === 'number' ? fromRial(body.amount) : Number.NaN,
        refNumber: str(body.refNumber),
        cardNumber: str(body.cardNumber),
        paidAt: str(body.paidAt),
        orderId: str(body.orderId),
    };
}

/**
 * A span per call (src/observe/provider-span.ts): `ok` for Zibal's success (100), `result-<n>` for its other
 * result codes, `unavailable` when there was no usable answer. Never the merchant, a card number or an amount.
 */
function traced<T>(operation: string, call: () => Promise<ZibalOutcome<T>>): Promise<ZibalOutcome<T>> {
    return providerSpan('zibal', operation, call, o =>
        o.kind === 'unavailable' ? 'unavailable' : o.result === 100 ? 'ok' : `result-${o.result}`,
    );
}
