import { Order, OrderCalculator, Promotion, RequestContext } from '@vendure/core';
import { describe, expect, it } from 'vitest';

import { RULE_CODES } from '../constants';

import { ExclusivePromotionsService } from './exclusive-promotions.service';

/** A promotion reduced to what the calculator fake needs: fixed item and shipping discounts. */
interface FakePromotion {
    id: string;
    conditions: Array<{ code: string }>;
    item: number;
    shipping: number;
    test(): Promise<boolean>;
}

const promo = (id: string, item: number, shipping = 0, exclusive = false): FakePromotion => ({
    id,
    conditions: exclusive ? [{ code: RULE_CODES.exclusive }] : [],
    item,
    shipping,
    test: async () => true,
});

interface FakeOrder {
    code: string;
    base: number;
    subTotalWithTax: number;
    shippingWithTax: number;
    lines: object[];
    shippingLines: Array<{ shippingMethodId: string; listPrice: number }>;
    promotions: FakePromotion[];
}

/**
 * Stands in for Vendure's OrderCalculator with the same call shape: applyPriceAdjustments runs the item step,
 * then prices shipping (500), then the shipping step, each through `this`, as the real one does.
 */
class FakeCalculator {
    passes = 0;
    async applyPriceAdjustments(ctx: RequestContext, order: FakeOrder, promotions: FakePromotion[]) {
        this.passes++;
        order.promotions = [];
        await this.applyPromotions(ctx, order, promotions);
        order.shippingLines[0].listPrice = 500; // a shipping method was just chosen
        await this.applyShippingPromotions(ctx, order, promotions);
        return order;
    }
    async applyPromotions(_ctx: RequestContext, order: FakeOrder, promotions: FakePromotion[]) {
        order.subTotalWithTax = order.base - promotions.reduce((s, p) => s + p.item, 0);
        order.promotions = [...promotions];
    }
    async applyShippingPromotions(_ctx: RequestContext, order: FakeOrder, promotions: FakePromotion[]) {
        const price = order.shippingLines[0].listPrice;
        order.shippingWithTax = Math.max(0, price - promotions.reduce((s, p) => s + p.shipping, 0));
    }
    calculateOrderTotals() {
        // totals are kept up to date by the steps above
    }
}

async function price(promotions: FakePromotion[], shippingAlreadyPriced: boolean) {
    const calculator = new FakeCalculator();
    const service = new ExclusivePromotionsService(calculator as unknown as OrderCalculator);
    service.install();
    const order: FakeOrder = {
        code: 'T1',
        base: 1000,
        subTotalWithTax: 1000,
        shippingWithTax: 0,
        lines: [{}],
        shippingLines: [{ shippingMethodId: '1', listPrice: shippingAlreadyPriced ? 500 : 0 }],
        promotions: [],
    };
    await (calculator as unknown as OrderCalculator).applyPriceAdjustments(
        {} as RequestContext,
        order as unknown as Order,
        promotions as unknown as Promotion[],
    );
    return { order, passes: calculator.passes, applied: order.promotions.map(p => p.id) };
}

describe('ExclusivePromotionsService', () => {
    it('leaves orders without exclusive promotions alone (one pass, all promotions)', async () => {
        const r = await price([promo('a', 100), promo('b', 50)], true);
        expect(r.applied).toEqual(['a', 'b']);
        expect(r.passes).toBe(1);
    });

    it('applies a better exclusive promotion alone', async () => {
        const r = await price([promo('a', 100), promo('b', 50), promo('x', 200, 0, true)], true);
        expect(r.applied).toEqual(['x']);
        expect(r.order.subTotalWithTax).toBe(800);
    });

    it('keeps the combinable set on a tie', async () => {
        const r = await price([promo('a', 100), promo('b', 50), promo('x', 150, 0, true)], true);
        expect(r.applied).toEqual(['a', 'b']);
    });

    it('decides again, and prices once more, when the shipping price changes the winner', async () => {
        // Before shipping is priced, x (80) beats a (50); with a 500 shipping fee a + free shipping (550) wins.
        const r = await price([promo('a', 50), promo('s', 0, 500), promo('x', 80, 0, true)], false);
        expect(r.passes).toBe(2);
        expect(r.applied).toEqual(['a', 's']);
        expect(r.order.subTotalWithTax).toBe(950);
        expect(r.order.shippingWithTax).toBe(0);
    });
});
