import { HandlebarsMjmlGenerator, InitializedEmailPluginOptions } from '@vendure/email-plugin';
import Handlebars from 'handlebars';

/**
 * `{{ formatMoney amount currencyCode locale }}` for this shop's money: whole Rials (Vendure money precision 0, see
 * src/iran/money.ts), so, unlike Vendure's helper, the amount is not divided by 100.
 */
export function formatMoney(amount: unknown, currencyCode?: unknown, locale?: unknown): unknown {
    if (typeof amount !== 'number') {
        return amount;
    }
    // Handlebars passes its options object last: a missing currency or locale arrives as that object.
    const lang = typeof locale === 'string' ? locale : undefined;
    return typeof currencyCode === 'string'
        ? new Intl.NumberFormat(lang, { style: 'currency', currency: currencyCode }).format(amount)
        : new Intl.NumberFormat(lang, { style: 'decimal', maximumFractionDigits: 0 }).format(amount);
}

/** Vendure's Handlebars + MJML email generator with {@link formatMoney} for whole-Rial amounts. */
export class RialEmailGenerator extends HandlebarsMjmlGenerator {
    async onInit(options: InitializedEmailPluginOptions): Promise<void> {
        await super.onInit(options);
        Handlebars.registerHelper('formatMoney', formatMoney);
    }
}
