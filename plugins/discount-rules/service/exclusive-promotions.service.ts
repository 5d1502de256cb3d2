import { Injectable } from '@nestjs/common';
import { Logger, Order, OrderCalculator, Promotion, RequestContext } from '@vendure/core';

import { loggerCtx, RULE_CODES } from '../constants';
import { bestCandidate, Candidate } from '../logic/exclusive';

type ApplyFn = (ctx: RequestContext, order: Order, promotions: Promotion[]) => Promise<void>;
type ApplyPriceAdjustmentsFn = OrderCalculator['applyPriceAdjustments'];

/** The private steps of OrderCalculator that apply promotions (see README: why wrapping them). */
interface PromotionSteps {
    applyPriceAdjustments: ApplyPriceAdjustmentsFn;
    applyPromotions: ApplyFn;
    applyShippingPromotions: ApplyFn;
}

function shallowClone<T extends object>(source: T): T {
    // Data properties only: loaded entities carry their calculated getters as own accessors bound to the
    // original object; dropping them lets the prototype's getters compute from the copy.
    const data = Object.entries(Object.getOwnPropertyDescriptors(source)).filter(([, d]) => 'value' in d);
    return Object.create(Object.getPrototypeOf(source), Object.fromEntries(data)) as T;
}

function samePromotions(a: Promotion[], b: Promotion[]): boolean {
    return a.length === b.length && a.every((p, i) => p.id === b[i].id);
}

interface Decision {
    chosen: Promotion[];
    /** Fixed for the second pass: both steps use it without deciding again. */
    pinned: boolean;
    /** The shipping step, which sees the final shipping price, chose differently from the item step. */
    changed: boolean;
    /** Shipping prices the decision was made with; the shipping step decides again only if they moved. */
    shippingKey: string;
}

function shippingKey(order: Order): string {
    return (order.shippingLines ?? []).map(l => `${l.shippingMethodId}:${l.listPrice}`).join(',');
}

/**
 * Makes "exclusive" promotions (those with the `dr_exclusive` condition) not combine with others.
 *
 * Vendure 3.7 has no extension point for choosing which promotions apply together: OrderCalculator applies
 * every promotion that passes its conditions, and a condition sees only its own promotion. So this service
 * wraps OrderCalculator's two promotion steps: before they run, it decides which promotions the order gets
 * (the combinable ones together, or one exclusive alone: the lowest resulting total wins) by applying each
 * candidate to a shallow copy of the order with Vendure's own code, then lets Vendure apply the winner.
 * Orders without an applicable exclusive promotion take the fast path and are untouched.
 */
@Injectable()
export class ExclusivePromotionsService {
    /** The decision for one order during one price calculation, shared by the item/order and shipping steps. */
    private decisions = new WeakMap<Order, Decision>();
    private original: PromotionSteps;

    constructor(private orderCalculator: OrderCalculator) {}

    /** Wraps the calculator once (the server and the worker each have their own instance). */
    install(): void {
        const calculator = this.orderCalculator as unknown as PromotionSteps;
        if (this.original) {
            return;
        }
        this.original = {
            applyPriceAdjustments: calculator.applyPriceAdjustments.bind(calculator),
            applyPromotions: calculator.applyPromotions.bind(calculator),
            applyShippingPromotions: calculator.applyShippingPromotions.bind(calculator),
        };
        calculator.applyPriceAdjustments = async (ctx, order, ...rest) => {
            this.decisions.delete(order);
            try {
                let result = await this.original.applyPriceAdjustments(ctx, order, ...rest);
                const decision = this.decisions.get(order);
                if (decision?.changed) {
                    // The item step decided before the shipping price was known (e.g. a shipping method was
                    // just chosen): run once more with the shipping step's choice for both steps.
                    decision.pinned = true;
                    result = await this.original.applyPriceAdjustments(ctx, order, ...rest);
                }
                return result;
            } finally {
                this.decisions.delete(order);
            }
        };
        calculator.applyPromotions = async (ctx, order, promotions) => {
            const decision = this.decisions.get(order);
            const chosen = decision?.pinned ? decision.chosen : await this.decide(ctx, order, promotions);
            this.decisions.set(order, {
                chosen,
                pinned: !!decision?.pinned,
                changed: false,
                shippingKey: shippingKey(order),
            });
            return this.original.applyPromotions(ctx, order, chosen);
        };
        calculator.applyShippingPromotions = async (ctx, order, promotions) => {
            const decision = this.decisions.get(order);
            if (decision && (decision.pinned || decision.shippingKey === shippingKey(order))) {
                return this.original.applyShippingPromotions(ctx, order, decision.chosen);
            }
            const chosen = await this.decide(ctx, order, promotions);
            const changed = !!decision && !samePromotions(decision.chosen, chosen);
            this.decisions.set(order, { chosen, pinned: false, changed, shippingKey: shippingKey(order) });
            return this.original.applyShippingPromotions(ctx, order, chosen);
        };
    }

    private async decide(ctx: RequestContext, order: Order, promotions: Promotion[]): Promise<Promotion[]> {
        const isExclusive = (p: Promotion) => p.conditions.some(c => c.code === RULE_CODES.exclusive);
        if (!promotions.some(isExclusive)) {
            return promotions;
        }
        const combinable = promotions.filter(p => !isExclusive(p));
        const exclusives: Promotion[] = [];
        for (const p of promotions.filter(isExclusive)) {
            if (await p.test(ctx, order)) {
                exclusives.push(p);
            }
        }
        if (!exclusives.length) {
            return combinable;
        }
        const candidates: Array<Candidate<Promotion>> = [];
        for (const set of [combinable, ...exclusives.map(p => [p])]) {
            candidates.push({ promotions: set, total: await this.totalWith(ctx, order, set) });
        }
        const best = bestCandidate(candidates);
        Logger.debug(
            `Order ${order.code}: applying [${best.promotions.map(p => p.id).join(',')}] ` +
                `(totals ${candidates.map(c => `[${c.promotions.map(p => p.id).join(',')}]=${c.total}`).join(' ')})`,
            loggerCtx,
        );
        return best.promotions;
    }

    /** The order total with only `promotions` applied, computed on a copy so the real order is untouched. */
    private async totalWith(ctx: RequestContext, order: Order, promotions: Promotion[]): Promise<number> {
        // Vendure's entities replace (never mutate) their adjustment arrays, so shallow copies are enough.
        const copy = shallowClone(order);
        copy.lines = order.lines.map(shallowClone);
        copy.shippingLines = (order.shippingLines ?? []).map(shallowClone);
        copy.promotions = [];
        await this.original.applyPromotions(ctx, copy, promotions);
        await this.original.applyShippingPromotions(ctx, copy, promotions);
        this.orderCalculator.calculateOrderTotals(copy);
        return copy.subTotalWithTax + copy.shippingWithTax;
    }
}
