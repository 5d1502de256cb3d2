import express, { Request, Response, Router } from 'express';

import { IRAN_PROVINCES } from '../iran/provinces';

import { FaultInjector } from './fault-injector';

interface SimCity {
    code: number;
    name: string;
    provinceCode: number;
}

/** The statuses a simulated parcel goes through, in order; `RETURNED` replaces the last steps on demand. */
export const POSTEX_TRACKING_FLOW = [
    'CREATED',
    'PICKED_UP',
    'IN_TRANSIT',
    'OUT_FOR_DELIVERY',
    'DELIVERED',
] as const;
export type PostexSimStatus = (typeof POSTEX_TRACKING_FLOW)[number] | 'RETURNED' | 'CANCELLED';

const STATUS_FA: Record<PostexSimStatus, string> = {
    CREATED: 'ثبت شده',
    PICKED_UP: 'جمع‌آوری شده',
    IN_TRANSIT: 'در مسیر',
    OUT_FOR_DELIVERY: 'در حال توزیع',
    DELIVERED: 'تحویل شده',
    RETURNED: 'مرجوع شده',
    CANCELLED: 'لغو شده',
};

export interface SimParcel {
    parcel_no: string;
    tracking_code: string;
    custom_order_no: string;
    from_city_code: number;
    to_city_code: number;
    payment_type: string;
    cod_amount: number;
    total_value: number;
    total_weight: number;
    receiver: unknown;
    price: number;
    status: PostexSimStatus;
    events: Array<{ status: PostexSimStatus; description: string; occurred_at: string }>;
}

/**
 * An in-memory Postex API (`/api/v1`): localities, shipping quotes priced by distance (province) and weight,
 * parcels (bulk create, lookup by number and by `custom_order_no`, cancel, label) and tracking events that
 * tests advance with {@link PostexSimulator.advance}. Faults are armed through {@link PostexSimulator.faults};
 * {@link PostexSimulator.loseNextCreateResponses} creates parcels but drops the response (a lost reply);
 * {@link PostexSimulator.createNextParcelLate} drops it and creates the parcel only later (a slow Postex).
 */
export class PostexSimulator {
    readonly faults = new FaultInjector();
    readonly provinces = IRAN_PROVINCES.map((p, i) => ({ code: i + 1, name: p.fa }));
    readonly cities: SimCity[] = this.provinces.flatMap(p => [
        {
            code: p.code * 100 + 1,
            name: p.name === 'تهران' ? 'تهران' : `مرکز ${p.name}`,
            provinceCode: p.code,
        },
        { code: p.code * 100 + 2, name: `شهرستان ${p.name}`, provinceCode: p.code },
    ]);
    readonly parcels = new Map<string, SimParcel>();
    private nextParcel = 1;
    private dropCreateResponses = 0;
    private lateCreates: number[] = [];
    /** Maximum weight per parcel the simulated couriers accept (grams). */
    readonly maxWeightGrams = 30_000;

    router(): Router {
        const router = express.Router();
        router.use(express.json());
        router.use(this.faults.middleware());
        router.use((req, res, next) => {
            if (!req.header('x-api-key')) {
                res.status(401).json({ isSuccess: false, message: 'Unauthorized' });
                return;
            }
            next();
        });
        router.get('/locality/provinces', (_req, res) => res.json(this.provinces));
        router.get('/locality/cities/all', (_req, res) => res.json(this.cities));
        router.get('/locality/cities/:provinceCode', (req, res) =>
            res.json(this.cities.filter(c => c.provinceCode === Number(req.params.provinceCode))),
        );
        router.post('/shipping/quotes', (req, res) => this.quotes(req, res));
        router.post('/parcels/bulk', (req, res) => this.createParcels(req, res));
        router.get('/parcels/custom-order-no/:no', (req, res) => {
            const parcel = [...this.parcels.values()].find(p => p.custom_order_no === req.params.no);
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            res.json({ isSuccess: true, data: this.view(parcel) });
        });
        router.get('/parcels/:no/status', (req, res) => {
            const parcel = this.parcels.get(String(req.params.no));
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            res.json({ isSuccess: true, data: { parcel_no: parcel.parcel_no, status: parcel.status } });
        });
        router.get('/parcels/:no/label', (req, res) => {
            const parcel = this.parcels.get(String(req.params.no));
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            res.type('application/pdf').send(Buffer.from(minimalPdf(`Postex ${parcel.parcel_no}`)));
        });
        router.get('/parcels/:no', (req, res) => {
            const parcel = this.parcels.get(String(req.params.no));
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            res.json({ isSuccess: true, data: this.view(parcel) });
        });
        router.post('/parcels/cancel-request/:no', (req, res) => {
            const parcel = this.parcels.get(String(req.params.no));
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            if (parcel.status !== 'CREATED') {
                res.status(400).json({ isSuccess: false, message: 'parcel already picked up' });
                return;
            }
            this.pushEvent(parcel, 'CANCELLED');
            res.json({ isSuccess: true, message: 'cancel request registered' });
        });
        router.get('/tracking/events/:no', (req, res) => {
            const parcel = this.parcels.get(String(req.params.no));
            if (!parcel) {
                res.status(404).json({ isSuccess: false, message: 'parcel not found' });
                return;
            }
            res.json({ isSuccess: true, data: { parcel_no: parcel.parcel_no, events: parcel.events } });
        });
        return router;
    }

    reset(): void {
        this.faults.reset();
        this.parcels.clear();
        this.dropCreateResponses = 0;
        this.lateCreates = [];
    }

    /** The next `times` parcel creations succeed here but their HTTP response never reaches the client. */
    loseNextCreateResponses(times = 1): void {
        this.dropCreateResponses += times;
    }

    /**
     * The next parcel creation is slow: the client's connection is dropped at once (no answer), and the parcel
     * appears here only `delayMs` later, as when Postex finishes a create after the client has given up.
     */
    createNextParcelLate(delayMs: number): void {
        this.lateCreates.push(delayMs);
    }

    /** Moves a parcel one step along its flow, or straight to `to` (e.g. `DELIVERED`, `RETURNED`). */
    advance(parcelNo: string, to?: PostexSimStatus): SimParcel {
        const parcel = this.parcels.get(parcelNo);
        if (!parcel) {
            throw new Error(`No simulated parcel ${parcelNo}`);
        }
        if (to) {
            const target = POSTEX_TRACKING_FLOW.indexOf(to as (typeof POSTEX_TRACKING_FLOW)[number]);
            let current = POSTEX_TRACKING_FLOW.indexOf(
                parcel.status as (typeof POSTEX_TRACKING_FLOW)[number],
            );
            // Walk through the intermediate steps so the event history looks real.
            while (target > -1 && current > -1 && current < target - 1) {
                current += 1;
                this.pushEvent(parcel, POSTEX_TRACKING_FLOW[current]);
            }
            this.pushEvent(parcel, to);
            return parcel;
        }
        const index = POSTEX_TRACKING_FLOW.indexOf(parcel.status as (typeof POSTEX_TRACKING_FLOW)[number]);
        if (index > -1 && index < POSTEX_TRACKING_FLOW.length - 1) {
            this.pushEvent(parcel, POSTEX_TRACKING_FLOW[index + 1]);
        }
        return parcel;
    }

    parcelsForOrder(customOrderNo: string): SimParcel[] {
        return [...this.parcels.values()].filter(p => p.custom_order_no === customOrderNo);
    }

    /**
     * Price in Rial before VAT: a base by how far apart the provinces are, plus a per-kilogram rate, plus
     * insurance of 0.2% of the declared value above 10,000,000 Rial.
     */
    price(fromCity: number, toCity: number, weightGrams: number, valueRial = 0): number {
        const from = this.cities.find(c => c.code === fromCity);
        const to = this.cities.find(c => c.code === toCity);
        if (!from || !to) {
            throw new Error('unknown city');
        }
        const distance = Math.abs(from.provinceCode - to.provinceCode);
        const base = from.provinceCode === to.provinceCode ? 350_000 : 550_000 + distance * 15_000;
        // A county town costs a little more than the province capital.
        const remote = to.code % 100 === 2 ? 40_000 : 0;
        const insurance = Math.max(0, Math.round((valueRial - 10_000_000) * 0.002));
        return base + remote + insurance + Math.ceil(Math.max(weightGrams, 1) / 1000) * 80_000;
    }

    private quotes(req: Request, res: Response): void {
        const { from_city_code, parcels } = req.body ?? {};
        if (!Array.isArray(parcels) || parcels.length === 0) {
            res.status(400).json({ isSuccess: false, message: 'parcels is required' });
            return;
        }
        try {
            const shipping_prices = parcels.map((p: Record<string, never>) => {
                const props = (p.parcel_properties ?? {}) as { total_weight?: number; total_value?: number };
                const weight = Number(props.total_weight ?? 0);
                if (weight > this.maxWeightGrams) {
                    throw new Error('too heavy');
                }
                const price = this.price(
                    Number(from_city_code),
                    Number(p.to_city_code),
                    weight,
                    Number(props.total_value ?? 0),
                );
                const services = [
                    {
                        courierCode: 'POST',
                        courierName: 'پست',
                        serviceType: 'PISHTAZ',
                        serviceName: 'پیشتاز',
                        price,
                        sla: 3,
                    },
                    {
                        courierCode: 'TIPAX',
                        courierName: 'تیپاکس',
                        serviceType: 'EXPRESS',
                        serviceName: 'سریع',
                        price: Math.round(price * 1.4),
                        sla: 1,
                    },
                ];
                return {
                    custom_parcel_id: p.custom_parcel_id,
                    service_price: services.map(s => {
                        const vat = Math.round(s.price * 0.1);
                        return {
                            courierCode: s.courierCode,
                            courierName: s.courierName,
                            serviceType: s.serviceType,
                            serviceName: s.serviceName,
                            slaDays: s.sla,
                            slaHours: 0,
                            vat,
                            discountAmount: 0,
                            initPrice: s.price,
                            totalPrice: s.price + vat,
                        };
                    }),
                };
            });
            res.json({ isSuccess: true, shipping_prices });
        } catch (e) {
            const message =
                e instanceof Error && e.message === 'too heavy'
                    ? 'weight limit exceeded'
                    : 'invalid city code';
            res.status(400).json({ isSuccess: false, message });
        }
    }

    private createParcels(req: Request, res: Response): void {
        const { from_city_code, parcels } = (req.body ?? {}) as {
            from_city_code?: number;
            parcels?: Array<Record<string, unknown>>;
        };
        if (!Array.isArray(parcels) || parcels.length === 0) {
            res.status(400).json({ isSuccess: false, message: 'parcels is required' });
            return;
        }
        const created: SimParcel[] = [];
        for (const p of parcels) {
            const props = (p.parcel_properties ?? {}) as { total_weight?: number; total_value?: number };
            const toCity = Number(p.to_city_code);
            if (!this.cities.some(c => c.code === toCity) || !p.custom_order_no) {
                res.status(400).json({ isSuccess: false, message: 'invalid parcel' });
                return;
            }
            const no = `PX${String(this.nextParcel++).padStart(8, '0')}`;
            const parcel: SimParcel = {
                parcel_no: no,
                tracking_code: `TRK-${no}`,
                custom_order_no: String(p.custom_order_no),
                from_city_code: Number(from_city_code),
                to_city_code: toCity,
                payment_type: String(p.payment_type ?? 'SENDER'),
                cod_amount: Number(p.cod_amount ?? 0),
                total_value: Number(props.total_value ?? 0),
                total_weight: Number(props.total_weight ?? 0),
                receiver: p.receiver,
                price: this.price(Number(from_city_code), toCity, Number(props.total_weight ?? 0)),
                status: 'CREATED',
                events: [],
            };
            this.pushEvent(parcel, 'CREATED');
            created.push(parcel);
        }
        const delayMs = this.lateCreates.shift();
        if (delayMs !== undefined) {
            setTimeout(() => created.forEach(p => this.parcels.set(p.parcel_no, p)), delayMs).unref();
            res.destroy();
            return;
        }
        created.forEach(p => this.parcels.set(p.parcel_no, p));
        if (this.dropCreateResponses > 0) {
            this.dropCreateResponses -= 1;
            res.destroy();
            return;
        }
        res.json({ isSuccess: true, data: created.map(p => this.view(p)) });
    }

    private pushEvent(parcel: SimParcel, status: PostexSimStatus): void {
        parcel.status = status;
        parcel.events.push({ status, description: STATUS_FA[status], occurred_at: new Date().toISOString() });
    }

    private view(p: SimParcel) {
        return {
            parcel_no: p.parcel_no,
            tracking_code: p.tracking_code,
            custom_order_no: p.custom_order_no,
            status: p.status,
            payment_type: p.payment_type,
            cod_amount: p.cod_amount,
            price: p.price,
        };
    }
}

function minimalPdf(text: string): string {
    return `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
}
