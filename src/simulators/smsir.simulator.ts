import express, { Request, Response, Router } from 'express';

import { FaultInjector } from './fault-injector';

export interface SmsirSimMessage {
    messageId: number;
    mobile: string;
    templateId: number;
    parameters: Array<{ name: string; value: string }>;
    at: Date;
}

/** SMS.ir's documented result statuses, with the HTTP status the simulator answers them with. */
export const SMSIR_SIM_STATUSES: Record<number, { http: number; message: string }> = {
    0: { http: 500, message: 'خطای داخلی' },
    10: { http: 401, message: 'کلید وب سرویس نامعتبر است' },
    11: { http: 401, message: 'کلید وب سرویس غیرفعال است' },
    12: { http: 403, message: 'محدودیت آی‌پی' },
    13: { http: 403, message: 'حساب کاربری غیرفعال است' },
    14: { http: 403, message: 'حساب کاربری در حالت تعلیق است' },
    15: { http: 403, message: 'نیاز به ارتقای پلن' },
    16: { http: 400, message: 'پارامتر نامعتبر' },
    20: { http: 429, message: 'تعداد درخواست بیش از حد مجاز است' },
    101: { http: 400, message: 'شماره خط نامعتبر است' },
    102: { http: 400, message: 'اعتبار کافی نیست' },
    104: { http: 400, message: 'شماره موبایل نامعتبر است' },
    113: { http: 400, message: 'قالب یافت نشد' },
    114: { http: 400, message: 'طول پارامتر بیش از ۲۵ کاراکتر است' },
    115: { http: 400, message: 'شماره در لیست سیاه است' },
    116: { http: 400, message: 'نام پارامتر وارد نشده است' },
    118: { http: 429, message: 'تعداد پیام‌ها بیش از حد مجاز است' },
    124: { http: 400, message: 'فقط ارسال کد تأیید مجاز است' },
};

/** Keys that make the simulator answer like SMS.ir does for a bad or disabled key. */
const KEY_ERRORS: Record<string, { http: number; status: number; message: string }> = {
    invalid: { http: 401, status: 10, message: 'کلید وب سرویس نامعتبر است' },
    inactive: { http: 401, status: 11, message: 'کلید وب سرویس غیرفعال است' },
};

/**
 * An in-memory SMS.ir REST v1: `POST /v1/send/verify`, `GET /v1/credit`, `GET /v1/send/{messageId}`, with an
 * inbox tests (and developers, in the embedded profile) can read at `/__inbox`. Any documented status can be
 * produced on demand with `failNextSends(status)` (or a fault armed through `/__control/fault`); the API keys
 * `invalid` and `inactive` answer 10 and 11 like a bad or disabled key.
 */
export class SmsirSimulator {
    readonly faults = new FaultInjector();
    readonly inbox: SmsirSimMessage[] = [];
    credit = 10_000;
    private nextMessageId = 1_000_000;

    router(): Router {
        const router = express.Router();
        router.get('/__inbox', (req, res) => {
            const mobile = typeof req.query.mobile === 'string' ? req.query.mobile : undefined;
            res.json(this.inbox.filter(m => !mobile || m.mobile === mobile).slice(-50));
        });
        router.use(express.json());
        router.use(this.faults.middleware());
        router.use((req, res, next) => this.authenticate(req, res, next));
        router.post('/v1/send/verify', (req, res) => this.sendVerify(req, res));
        router.get('/v1/credit', (_req, res) => res.json({ status: 1, message: 'موفق', data: this.credit }));
        router.get('/v1/send/:messageId', (req, res) => {
            const message = this.inbox.find(m => m.messageId === Number(req.params.messageId));
            if (!message) {
                res.status(400).json({ status: 0, message: 'پیام یافت نشد', data: null });
                return;
            }
            // deliveryState 1: delivered to the handset.
            res.json({
                status: 1,
                message: 'موفق',
                data: { messageId: message.messageId, mobile: message.mobile, deliveryState: 1 },
            });
        });
        return router;
    }

    /** Makes the next `times` verify sends fail with SMS.ir's documented `status` (and its HTTP status). */
    failNextSends(status: number, times = 1): void {
        const known = SMSIR_SIM_STATUSES[status];
        if (!known) {
            throw new Error(`SMS.ir has no documented status ${status}`);
        }
        this.faults.arm(
            '/v1/send/verify',
            { kind: 'result', status: known.http, body: { status, message: known.message, data: null } },
            times,
        );
    }

    /** The value of the template parameter (the code) in the last message to `mobile`. */
    lastCodeTo(mobile: string, parameterName = 'CODE'): string | undefined {
        return this.lastMessageTo(mobile)?.parameters.find(p => p.name === parameterName)?.value;
    }

    /** The last message sent to a mobile number, e.g. to read an OTP code in a test. */
    lastMessageTo(mobile: string): SmsirSimMessage | undefined {
        // From the end without copying: the inbox holds up to 10,000 messages in benchmark runs.
        for (let i = this.inbox.length - 1; i >= 0; i--) {
            if (this.inbox[i].mobile === mobile) {
                return this.inbox[i];
            }
        }
        return undefined;
    }

    reset(): void {
        this.faults.reset();
        this.inbox.length = 0;
        this.credit = 10_000;
    }

    private authenticate(req: Request, res: Response, next: () => void): void {
        const key = req.header('x-api-key');
        if (!key) {
            res.status(401).json({ status: 10, message: 'کلید وب سرویس نامعتبر است', data: null });
            return;
        }
        const error = KEY_ERRORS[key];
        if (error) {
            res.status(error.http).json({ status: error.status, message: error.message, data: null });
            return;
        }
        next();
    }

    private sendVerify(req: Request, res: Response): void {
        const { mobile, templateId, parameters } = req.body ?? {};
        const fail = (status: number, message: string) =>
            res.status(400).json({ status, message, data: null });
        if (typeof mobile !== 'string' || !/^09\d{9}$/.test(mobile)) {
            return void fail(104, 'شماره موبایل نامعتبر است');
        }
        if (!Number.isInteger(Number(templateId)) || Number(templateId) <= 0) {
            return void fail(113, 'قالب یافت نشد');
        }
        if (!Array.isArray(parameters) || parameters.some(p => typeof p?.name !== 'string' || !p.name)) {
            return void fail(116, 'نام پارامتر وارد نشده است');
        }
        if (parameters.some(p => String(p.value ?? '').length > 25)) {
            return void fail(114, 'طول پارامتر بیش از ۲۵ کاراکتر است');
        }
        if (this.credit < 1) {
            return void fail(102, 'اعتبار کافی نیست');
        }
        this.credit -= 1;
        const message: SmsirSimMessage = {
            messageId: this.nextMessageId++,
            mobile,
            templateId: Number(templateId),
            parameters: parameters.map((p: { name: string; value: unknown }) => ({
                name: p.name,
                value: String(p.value),
            })),
            at: new Date(),
        };
        this.inbox.push(message);
        if (this.inbox.length > 10_000) {
            // Long benchmark runs: keep memory bounded.
            this.inbox.splice(0, this.inbox.length - 10_000);
        }
        res.json({ status: 1, message: 'موفق', data: { messageId: message.messageId, cost: 1.0 } });
    }
}
