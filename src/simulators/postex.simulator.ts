import express, { Request, Response, Router } from 'express';

import { IRAN_PROVINCES } from '../iran/provinces';

import { FaultInjector } from './fault-injector';

interface SimCity {
    code: number;
    name: string;
    provinceCode: number;
}

/**
 * An in-memory Postex API (`/api/v1`): localities and shipping quotes priced by distance (province) and weight.
 * Parcels and tracking are completed with the Postex shipping plugin.
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
        return router;
    }

    reset(): void {
        this.faults.reset();
    }

    /** Price in Rial: a base by how far apart the provinces are, plus a per-kilogram rate. */
    price(fromCity: number, toCity: number, weightGrams: number): number {
        const from = this.cities.find(c => c.code === fromCity);
        const to = this.cities.find(c => c.code === toCity);
        if (!from || !to) {
            throw new Error('unknown city');
        }
        const distance = Math.abs(from.provinceCode - to.provinceCode);
        const base = from.provinceCode === to.provinceCode ? 350_000 : 550_000 + distance * 15_000;
        return base + Math.ceil(Math.max(weightGrams, 1) / 1000) * 80_000;
    }

    private quotes(req: Request, res: Response): void {
        const { from_city_code, parcels } = req.body ?? {};
        if (!Array.isArray(parcels) || parcels.length === 0) {
            res.status(400).json({ isSuccess: false, message: 'parcels is required' });
            return;
        }
        try {
            const shipping_prices = parcels.map((p: Record<string, never>) => {
                const props = (p.parcel_properties ?? {}) as { total_weight?: number };
                const price = this.price(
                    Number(from_city_code),
                    Number(p.to_city_code),
                    Number(props.total_weight ?? 0),
                );
                const vat = Math.round(price * 0.1);
                return {
                    custom_parcel_id: p.custom_parcel_id,
                    service_price: [
                        {
                            courierCode: 'POST',
                            courierName: 'پست',
                            serviceType: 'PISHTAZ',
                            serviceName: 'پیشتاز',
                            slaDays: 3,
                            slaHours: 0,
                            vat,
                            discountAmount: 0,
                            initPrice: price,
                            totalPrice: price + vat,
                        },
                    ],
                };
            });
            res.json({ isSuccess: true, shipping_prices });
        } catch {
            res.status(400).json({ isSuccess: false, message: 'invalid city code' });
        }
    }
}
