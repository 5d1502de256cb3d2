import { mayHaveReachedServer, requestJson } from '../../../src/http/json-http';
import { providerSpan } from '../../../src/observe/provider-span';

import { SmsirOptions } from '../types';

/** SMS.ir REST v1 result statuses (`status` in the `{ status, message, data }` envelope). */
export const SMSIR_STATUS_REASONS = {
    0: 'server-error',
    10: 'invalid-api-key',
    11: 'api-key-inactive',
    12: 'ip-restricted',
    13: 'account-inactive',
    14: 'account-suspended',
    15: 'plan-upgrade-required',
    16: 'invalid-parameter',
    20: 'rate-exceeded',
    101: 'invalid-line',
    102: 'insufficient-credit',
    104: 'invalid-mobile',
    113: 'template-not-found',
    114: 'parameter-too-long',
    115: 'blacklisted',
    116: 'parameter-name-missing',
    118: 'too-many-messages',
    124: 'otp-only',
} as const;

export type SmsirStatusReason = (typeof SMSIR_STATUS_REASONS)[keyof typeof SMSIR_STATUS_REASONS];

/** Why a call failed where SMS.ir gave no documented status. */
export type SmsirTransportReason =
    'unauthorized' | 'throttled' | 'http-error' | 'timeout' | 'network' | 'malformed' | 'unknown-status';

export type SmsirFailure = {
    ok: false;
    reason: SmsirStatusReason | SmsirTransportReason;
    /** SMS.ir's `status`, when the body had one. */
    status?: number;
    httpStatus?: number;
    /**
     * `true` when SMS.ir may have sent the message anyway (timeout, 5xx, dropped connection):
     * a caller must not send again blindly.
     */
    uncertain: boolean;
    /** Problems of our account or configuration (key, line, credit, template): the operator must act. */
    operatorAction: boolean;
};

export type SmsirSendResult = { ok: true; messageId: number; cost: number } | SmsirFailure;
export type SmsirCreditResult = { ok: true; credit: number } | SmsirFailure;

const OPERATOR_STATUSES = new Set([10, 11, 12, 13, 14, 15, 101, 102, 113, 114, 116, 124]);

/**
 * The HTTP client of SMS.ir REST v1 (`X-API-KEY` header, `{ status, message, data }` envelope). Every
 * documented status, HTTP 401/429/5xx, timeouts and unreadable bodies map to a typed {@link SmsirFailure}.
 * It never retries: a verify send is not idempotent, a retry could deliver two codes.
 */
export class SmsirClient {
    private readonly baseUrl: string;
    private readonly timeoutMs: number;

    constructor(private readonly options: Pick<SmsirOptions, 'baseUrl' | 'apiKey' | 'requestTimeoutMs'>) {
        this.baseUrl = options.baseUrl.replace(/\/$/, '');
        this.timeoutMs = options.requestTimeoutMs ?? 2_500;
    }

    /** `POST /v1/send/verify`: sends a template message (an OTP code) to one mobile number. */
    async sendVerify(
        mobile: string,
        templateId: number,
        parameters: Array<{ name: string; value: string }>,
    ): Promise<SmsirSendResult> {
        return traced('send_verify', () => this.sendVerifyOnce(mobile, templateId, parameters));
    }

    private async sendVerifyOnce(
        mobile: string,
        templateId: number,
        parameters: Array<{ name: string; value: string }>,
    ): Promise<SmsirSendResult> {
        const result = await this.call('POST', '/v1/send/verify', { mobile, templateId, parameters });
        if (!result.ok) {
            return result;
        }
        const data = result.data as { messageId?: unknown; cost?: unknown } | null;
        if (!data || typeof data.messageId !== 'number') {
            return failure('malformed', { httpStatus: 200, uncertain: true });
        }
        return { ok: true, messageId: data.messageId, cost: Number(data.cost ?? 0) };
    }

    /** `GET /v1/credit`: the account's remaining credit. */
    getCredit(): Promise<SmsirCreditResult> {
        return traced('credit', () => this.getCreditOnce());
    }

    private async getCreditOnce(): Promise<SmsirCreditResult> {
        const result = await this.call('GET', '/v1/credit');
        if (!result.ok) {
            return result;
        }
        return typeof result.data === 'number'
            ? { ok: true, credit: result.data }
            : failure('malformed', { httpStatus: 200, uncertain: false });
    }

    private async call(
        method: 'GET' | 'POST',
        path: string,
        body?: unknown,
    ): Promise<{ ok: true; data: unknown } | SmsirFailure> {
        // node:http with the keep-alive global agent rather than fetch: a send reuses an open connection, and
        // the client's CPU cost per send is a fraction of undici's (web streams, AbortSignal per call).
        const response = await requestJson(`${this.baseUrl}${path}`, {
            method,
            headers: { 'x-api-key': this.options.apiKey },
            body,
            connectTimeoutMs: this.timeoutMs,
            readTimeoutMs: this.timeoutMs,
            // The shopper waits for the send: the whole call, connecting included, ends within the timeout.
            totalTimeoutMs: this.timeoutMs,
        });
        if (!response.ok && response.failure.kind !== 'malformed') {
            const timedOut = response.failure.kind !== 'network';
            // A send that may have reached SMS.ir may have been delivered; one that certainly did not (refused or
            // unresolvable connection) can be asked for again at once.
            const reached = mayHaveReachedServer(response.failure);
            return failure(timedOut ? 'timeout' : 'network', { uncertain: reached && method === 'POST' });
        }
        const httpStatus = response.ok ? response.status : (response.status ?? 0);
        const envelope = response.ok
            ? (response.body as { status?: unknown; data?: unknown } | null)
            : undefined;
        const httpOk = httpStatus >= 200 && httpStatus < 300;
        const status = typeof envelope?.status === 'number' ? envelope.status : undefined;
        if (httpOk && status === 1) {
            return { ok: true, data: envelope?.data ?? null };
        }
        if (status !== undefined && status !== 1 && status in SMSIR_STATUS_REASONS) {
            return failure(SMSIR_STATUS_REASONS[status as keyof typeof SMSIR_STATUS_REASONS], {
                status,
                httpStatus,
                uncertain: status === 0 && method === 'POST',
            });
        }
        if (httpStatus === 401) {
            return failure('unauthorized', { httpStatus, uncertain: false });
        }
        if (httpStatus === 429) {
            return failure('throttled', { httpStatus, uncertain: false });
        }
        if (httpStatus >= 500) {
            return failure('http-error', { httpStatus, uncertain: method === 'POST' });
        }
        if (!envelope) {
            return failure('malformed', { httpStatus, uncertain: httpOk && method === 'POST' });
        }
        return failure(httpOk ? 'unknown-status' : 'http-error', {
            status,
            httpStatus,
            uncertain: false,
        });
    }
}

/** A span per call (src/observe/provider-span.ts): the operation and the outcome, never the number or the code. */
function traced<T extends { ok: true } | SmsirFailure>(
    operation: string,
    call: () => Promise<T>,
): Promise<T> {
    return providerSpan('smsir', operation, call, r => (r.ok ? 'ok' : r.reason));
}

function failure(
    reason: SmsirFailure['reason'],
    details: { status?: number; httpStatus?: number; uncertain: boolean },
): SmsirFailure {
    const operatorAction =
        reason === 'unauthorized' ||
        reason === 'unknown-status' ||
        (details.status !== undefined && OPERATOR_STATUSES.has(details.status));
    return { ok: false, reason, ...details, operatorAction };
}
