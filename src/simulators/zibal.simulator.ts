import express, { Request, Response, Router } from 'express';

import { FaultInjector } from './fault-injector';

import { escapeHtml } from '../http/escape-html';

/** Zibal's transaction status codes (see shared research: external-apis.md). */
export const ZIBAL_STATUS = {
    waiting: -1,
    paidVerified: 1,
    paidNotVerified: 2,
    cancelledByUser: 3,
    insufficientBalance: 5,
    refunded: 15,
} as const;

export interface ZibalSimTransaction {
    trackId: number;
    merchant: string;
    amount: number;
    callbackUrl: string;
    orderId?: string;
    mobile?: string;
    description?: string;
    status: number;
    createdAt: Date;
    paidAt?: Date;
    verifiedAt?: Date;
    refNumber?: number;
    cardNumber?: string;
    refunds: Array<{ amount: number; at: Date }>;
}

const MESSAGES: Record<number, string> = {
    100: 'success',
    102: 'merchant یافت نشد.',
    103: 'merchant غیرفعال',
    104: 'merchant نامعتبر',
    105: 'amount بایستی بزرگتر از 1,000 ریال باشد.',
    106: 'callbackUrl نامعتبر می‌باشد.',
    113: 'amount مبلغ تراکنش از سقف میزان تراکنش بیشتر است.',
    201: 'قبلا تایید شده.',
    202: 'سفارش پرداخت نشده یا ناموفق بوده است.',
    203: 'trackId نامعتبر می‌باشد.',
};

/**
 * An in-memory Zibal IPG v1: `/v1/request`, `/start/{trackId}` (a bank page with pay and cancel),
 * `/v1/verify`, `/v1/inquiry`, and the platform refund API under `platformRouter`.
 * Merchants named `inactive-*` answer 103 and `unknown-*` 102, so every request error code can be reached.
 */
export class ZibalSimulator {
    readonly faults = new FaultInjector();
    readonly transactions = new Map<number, ZibalSimTransaction>();
    private nextTrackId = 3_000_000_000 + Math.floor(Math.random() * 1_000_000);
    private nextRefNumber = 200_000_000;

    router(): Router {
        const router = express.Router();
        router.use(express.json());
        router.use(this.faults.middleware());
        router.post('/v1/request', (req, res) => this.request(req, res));
        router.post('/v1/verify', (req, res) => this.verify(req, res));
        router.post('/v1/inquiry', (req, res) => this.inquiry(req, res));
        router.get('/start/:trackId', (req, res) => this.bankPage(req, res));
        router.post('/start/:trackId/:choice', express.urlencoded({ extended: false }), (req, res) =>
            this.bankChoice(req, res),
        );
        return router;
    }

    /** Zibal's platform API (refunds), authenticated by a bearer token. */
    platformRouter(): Router {
        const router = express.Router();
        router.use(express.json());
        router.use(this.faults.middleware());
        router.post('/v1/account/refund', (req, res) => this.refund(req, res));
        return router;
    }

    /** What the shopper does on the bank page, without a browser. Returns the callback URL Zibal redirects to. */
    pay(trackId: number, choice: 'pay' | 'cancel' | 'fail' = 'pay'): string {
        const tx = this.transactions.get(trackId);
        if (!tx) {
            throw new Error(`Unknown trackId ${trackId}`);
        }
        if (choice === 'pay') {
            tx.status = ZIBAL_STATUS.paidNotVerified;
            tx.paidAt = new Date();
            tx.cardNumber = '621986******1234';
            tx.refNumber = this.nextRefNumber++;
        } else {
            tx.status = choice === 'cancel' ? ZIBAL_STATUS.cancelledByUser : ZIBAL_STATUS.insufficientBalance;
        }
        const url = new URL(tx.callbackUrl);
        url.searchParams.set('trackId', String(tx.trackId));
        url.searchParams.set('success', choice === 'pay' ? '1' : '0');
        url.searchParams.set('status', String(tx.status));
        if (tx.orderId) {
            url.searchParams.set('orderId', tx.orderId);
        }
        return url.toString();
    }

    reset(): void {
        this.faults.reset();
        this.transactions.clear();
    }

    private merchantError(merchant: unknown): number | undefined {
        if (typeof merchant !== 'string' || merchant.length === 0 || merchant.startsWith('unknown-')) {
            return 102;
        }
        if (merchant.startsWith('inactive-')) {
            return 103;
        }
        if (merchant.startsWith('invalid-')) {
            return 104;
        }
        return undefined;
    }

    private request(req: Request, res: Response): void {
        const { merchant, amount, callbackUrl, orderId, mobile, description } = req.body ?? {};
        const merchantError = this.merchantError(merchant);
        if (merchantError) {
            return reply(res, merchantError);
        }
        if (!Number.isInteger(amount) || amount <= 1000) {
            return reply(res, 105);
        }
        if (amount > 500_000_000_000) {
            return reply(res, 113);
        }
        if (typeof callbackUrl !== 'string' || !/^https?:\/\//.test(callbackUrl)) {
            return reply(res, 106);
        }
        const trackId = this.nextTrackId++;
        this.transactions.set(trackId, {
            trackId,
            merchant,
            amount,
            callbackUrl,
            orderId: orderId != null ? String(orderId) : undefined,
            mobile,
            description,
            status: ZIBAL_STATUS.waiting,
            createdAt: new Date(),
            refunds: [],
        });
        res.json({ trackId, result: 100, message: MESSAGES[100] });
    }

    private verify(req: Request, res: Response): void {
        const tx = this.lookup(req, res);
        if (!tx) {
            return;
        }
        if (tx.status === ZIBAL_STATUS.paidNotVerified) {
            tx.status = ZIBAL_STATUS.paidVerified;
            tx.verifiedAt = new Date();
            return reply(res, 100, this.details(tx));
        }
        if (tx.status === ZIBAL_STATUS.paidVerified) {
            return reply(res, 201, this.details(tx));
        }
        return reply(res, 202, { status: tx.status });
    }

    private inquiry(req: Request, res: Response): void {
        const tx = this.lookup(req, res);
        if (!tx) {
            return;
        }
        reply(res, 100, {
            ...this.details(tx),
            createdAt: tx.createdAt.toISOString(),
            verifiedAt: tx.verifiedAt?.toISOString() ?? null,
            wage: 0,
        });
    }

    private refund(req: Request, res: Response): void {
        if (!/^Bearer \S+/.test(req.header('authorization') ?? '')) {
            res.status(401).json({ result: 401, message: 'Unauthorized' });
            return;
        }
        const { trackId, amount } = req.body ?? {};
        const tx = this.transactions.get(Number(trackId));
        if (!tx || tx.status !== ZIBAL_STATUS.paidVerified) {
            res.json({ result: 203, message: MESSAGES[203] });
            return;
        }
        const refunded = tx.refunds.reduce((sum, r) => sum + r.amount, 0);
        const refundAmount = amount == null ? tx.amount - refunded : Number(amount);
        if (!Number.isInteger(refundAmount) || refundAmount <= 0 || refunded + refundAmount > tx.amount) {
            res.json({ result: 105, message: 'invalid amount' });
            return;
        }
        tx.refunds.push({ amount: refundAmount, at: new Date() });
        res.json({
            result: 1,
            message: 'success',
            data: {
                refundId: `${tx.trackId}-${tx.refunds.length}`,
                amount: refundAmount,
                trackId: tx.trackId,
            },
        });
    }

    private bankPage(req: Request, res: Response): void {
        const tx = this.transactions.get(Number(req.params.trackId));
        if (!tx) {
            res.status(404).type('text/plain').send('تراکنش یافت نشد');
            return;
        }
        const form = (choice: string, label: string) =>
            `<form method="post" action="${tx.trackId}/${choice}"><button name="c" value="${choice}">${label}</button></form>`;
        res.type('html').send(`<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>درگاه شبیه‌سازی زیبال</title></head><body style="font-family:sans-serif;max-width:30rem;margin:3rem auto">
<h1>درگاه پرداخت (شبیه‌ساز زیبال)</h1>
<p>سفارش: <b>${escapeHtml(tx.orderId ?? '-')}</b> — مبلغ: <b>${tx.amount.toLocaleString('fa-IR')} ریال</b></p>
${form('pay', 'پرداخت')}${form('cancel', 'انصراف')}${form('fail', 'موجودی ناکافی')}
</body></html>`);
    }

    private bankChoice(req: Request, res: Response): void {
        const choice = req.params.choice;
        if (choice !== 'pay' && choice !== 'cancel' && choice !== 'fail') {
            res.status(400).send('bad choice');
            return;
        }
        try {
            res.redirect(302, this.pay(Number(req.params.trackId), choice));
        } catch {
            res.status(404).send('unknown trackId');
        }
    }

    private lookup(req: Request, res: Response): ZibalSimTransaction | undefined {
        const { merchant, trackId } = req.body ?? {};
        const merchantError = this.merchantError(merchant);
        if (merchantError) {
            reply(res, merchantError);
            return undefined;
        }
        const tx = this.transactions.get(Number(trackId));
        if (!tx || tx.merchant !== merchant) {
            reply(res, 203);
            return undefined;
        }
        return tx;
    }

    private details(tx: ZibalSimTransaction) {
        return {
            paidAt: tx.paidAt?.toISOString() ?? null,
            cardNumber: tx.cardNumber ?? null,
            status: tx.status,
            amount: tx.amount,
            refNumber: tx.refNumber ?? null,
            description: tx.description ?? null,
            orderId: tx.orderId ?? null,
        };
    }
}

function reply(res: Response, result: number, extra: Record<string, unknown> = {}): void {
    res.json({ ...extra, result, message: MESSAGES[result] ?? 'error' });
}
