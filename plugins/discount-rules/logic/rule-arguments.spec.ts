import { describe, expect, it } from 'vitest';

import { RULE_CODES as R } from '../constants';

import { describeProblems, ruleArgumentProblems } from './rule-arguments';

const op = (code: string, args: Record<string, string>) => ({
    code,
    arguments: Object.entries(args).map(([name, value]) => ({ name, value })),
});

describe('rule argument checks', () => {
    it('accepts the arguments the README shows', () => {
        expect(
            ruleArgumentProblems(
                op(R.volumeTier, { basis: 'amount', tiers: '["10,000,000:5","۵۰٬۰۰۰٬۰۰۰:10"]' }),
            ),
        ).toEqual([]);
        expect(
            ruleArgumentProblems(op(R.weeklyWindow, { days: '["thu","fri"]', from: '18:00', to: '23:59' })),
        ).toEqual([]);
        expect(ruleArgumentProblems(op(R.jalaliPeriod, { from: '1406/01/01', to: '۱۴۰۶/۰۱/۱۳' }))).toEqual(
            [],
        );
        expect(
            ruleArgumentProblems(op(R.shippingRegion, { provinces: '["تهران","Gilan","IR-23"]' })),
        ).toEqual([]);
        expect(
            ruleArgumentProblems(op(R.cappedPercentage, { discount: '20', maxDiscount: '500000000' })),
        ).toEqual([]);
        // Vendure's own and unknown rules are not this plugin's to check.
        expect(ruleArgumentProblems(op('order_percentage_discount', { discount: 'x' }))).toEqual([]);
    });

    it('names the argument of tiers that are not threshold:percent', () => {
        const [problem] = ruleArgumentProblems(op(R.volumeTier, { basis: 'amount', tiers: '["3:5","abc"]' }));
        expect(problem).toMatchObject({ rule: R.volumeTier, argument: 'tiers' });
        expect(problem.en).toContain('"abc"');
        expect(ruleArgumentProblems(op(R.volumeTier, { tiers: '[]' }))[0].en).toMatch(/at least one tier/);
    });

    it('refuses a Gregorian date as a Jalali one, and a period that ends before it starts', () => {
        expect(ruleArgumentProblems(op(R.jalaliPeriod, { from: '1404/01/01', to: '2026/12/29' }))).toEqual([
            expect.objectContaining({ argument: 'to', en: expect.stringContaining('2026/12/29') }),
        ]);
        expect(ruleArgumentProblems(op(R.jalaliPeriod, { from: '1406/02/01', to: '1406/01/13' }))).toEqual([
            expect.objectContaining({ argument: 'to', en: expect.stringMatching(/before it starts/) }),
        ]);
    });

    it('refuses bad times, weekdays, provinces, counts and percentages', () => {
        const argsOf = (o: ReturnType<typeof op>) => ruleArgumentProblems(o).map(p => p.argument);
        expect(argsOf(op(R.weeklyWindow, { days: '["thu","someday"]', from: '25:00', to: '18:00' }))).toEqual(
            ['from', 'days'],
        );
        expect(argsOf(op(R.shippingRegion, { provinces: '["Atlantis"]' }))).toEqual(['provinces']);
        expect(argsOf(op(R.everyNItems, { n: '0' }))).toEqual(['n']);
        expect(argsOf(op(R.usageLimitPerMobile, { limit: '1.5' }))).toEqual(['limit']);
        expect(argsOf(op(R.cheapestItem, { discount: '150' }))).toEqual(['discount']);
        expect(argsOf(op(R.cappedPercentage, { discount: '20', maxDiscount: '-1' }))).toEqual([
            'maxDiscount',
        ]);
    });

    it('writes one message in English and Persian naming each argument', () => {
        const message = describeProblems(ruleArgumentProblems(op(R.volumeTier, { tiers: '["abc"]' })));
        expect(message).toContain('argument "tiers"');
        expect(message).toContain('آرگومان «tiers»');
    });
});
