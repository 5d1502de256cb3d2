import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';

import { formatMoney } from './email-generator';

describe('formatMoney (email templates)', () => {
    it('prints whole Rials as they are stored, not divided by 100', () => {
        expect(formatMoney(15_000_000, 'IRR', 'en')).toMatch(/^IRR\s15,000,000$/);
        expect(formatMoney(15_000_000, 'IRR', 'fa')).toMatch(/۱۵٬۰۰۰٬۰۰۰/);
    });

    it('works as a Handlebars helper with and without the currency and locale', () => {
        const helpers = { formatMoney };
        const render = (template: string) => Handlebars.compile(template)({ total: 1_250_000 }, { helpers });
        expect(render("{{ formatMoney total 'IRR' 'en' }}")).toMatch(/^IRR\s1,250,000$/);
        expect(render('{{ formatMoney total }}')).toMatch(/^1[,٬]?250[,٬]?000$/);
    });

    it('leaves a missing amount alone', () => {
        expect(formatMoney(undefined, 'IRR', 'en')).toBeUndefined();
    });
});
