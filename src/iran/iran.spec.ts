import { describe, expect, it } from 'vitest';

import {
    IRAN_PROVINCES,
    isValidNationalCode,
    maskMobile,
    normalizeIranianMobile,
    normalizePersianText,
    normalizePostalCode,
    formatRial,
    fromRial,
    RialMoneyStrategy,
    toAsciiDigits,
    toPersianDigits,
    tomanToMoney,
    tomanToRial,
    toRial,
} from './index';

describe('normalizeIranianMobile', () => {
    it.each([
        ['09123456789', '09123456789'],
        ['9123456789', '09123456789'],
        ['+989123456789', '09123456789'],
        ['00989123456789', '09123456789'],
        ['989123456789', '09123456789'],
        ['0912 345 6789', '09123456789'],
        ['+98-912-345-6789', '09123456789'],
        ['(0912) 345-6789', '09123456789'],
        ['۰۹۱۲۳۴۵۶۷۸۹', '09123456789'],
        ['٠٩١٢٣٤٥٦٧٨٩', '09123456789'],
        ['+۹۸ ۹۳۵ ۱۱۱ ۲۲۳۳', '09351112233'],
    ])('normalises %s to %s', (input, expected) => {
        expect(normalizeIranianMobile(input)).toBe(expected);
    });

    it.each([
        '',
        '0212345678',
        '08123456789',
        '0912345678',
        '091234567890',
        '+19123456789',
        'abc09123456789',
        '0912345678a',
    ])('rejects %j', input => {
        expect(normalizeIranianMobile(input)).toBeUndefined();
    });

    it('masks the middle digits', () => {
        expect(maskMobile('09123456789')).toBe('0912***6789');
    });
});

describe('digits and text', () => {
    it('converts Persian and Arabic-Indic digits both ways', () => {
        expect(toAsciiDigits('۱۲۳٤٥٦ abc')).toBe('123456 abc');
        expect(toPersianDigits(1405)).toBe('۱۴۰۵');
    });

    it('turns Arabic yeh and kaf into Persian and folds white space', () => {
        expect(normalizePersianText('  كيك\u200Cها   ي ')).toBe('کیک ها ی');
        expect(normalizePersianText('علي')).toBe(normalizePersianText('علی'));
    });
});

describe('national code and postal code', () => {
    it.each(['0499370899', '0790419904', '0084575948', '0013542419'])(
        'accepts valid national code %s',
        code => {
            expect(isValidNationalCode(code)).toBe(true);
        },
    );

    it.each(['0499370890', '1111111111', '123456789', '049937089a', ''])('rejects national code %j', code => {
        expect(isValidNationalCode(code)).toBe(false);
    });

    it('accepts Persian digits in a national code', () => {
        expect(isValidNationalCode('۰۴۹۹۳۷۰۸۹۹')).toBe(true);
    });

    it('normalises postal codes', () => {
        expect(normalizePostalCode('۱۳۴۵۶-۷۸۹۱۲')).toBe('1345678912');
        expect(normalizePostalCode('0123456789')).toBeUndefined();
        expect(normalizePostalCode('12345')).toBeUndefined();
    });
});

describe('money', () => {
    it('stores Rial x 100 (ISO 4217 minor units) and rounds every amount to a whole Rial', () => {
        const strategy = new RialMoneyStrategy();
        expect(strategy.precision).toBe(2);
        expect(strategy.round(123_449)).toBe(123_400);
        expect(strategy.round(123_450)).toBe(123_500);
        // A line: the unit amount times the quantity, rounded once.
        expect(strategy.round(33_333.33, 3)).toBe(100_000);
        // Discounts are negative: halves go towards +infinity as Vendure's Math.round does, and never -0.
        expect(strategy.round(-150)).toBe(-100);
        expect(strategy.round(-151)).toBe(-200);
        expect(Object.is(strategy.round(-40), 0)).toBe(true);
    });

    it('sends providers whole Rials only and reads their Rials back', () => {
        expect(toRial(21_500_000_000)).toBe(215_000_000);
        expect(() => toRial(21_500_000_050)).toThrow(RangeError);
        expect(() => toRial(-100)).toThrow(RangeError);
        expect(() => toRial(Number.NaN)).toThrow(RangeError);
        expect(fromRial(215_000_000)).toBe(21_500_000_000);
        expect(fromRial(1.5)).toBeNaN();
        expect(formatRial(21_500_000_000)).toBe('215,000,000 Rial');
    });

    it('converts Toman to Rial and to money units', () => {
        expect(tomanToRial(150_000)).toBe(1_500_000);
        expect(tomanToMoney(150_000)).toBe(150_000_000);
    });

    it('knows the 31 provinces of Iran with unique codes', () => {
        expect(IRAN_PROVINCES).toHaveLength(31);
        expect(new Set(IRAN_PROVINCES.map(p => p.code)).size).toBe(31);
    });
});
