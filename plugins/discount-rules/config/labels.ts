import { LanguageCode } from '@vendure/core';

/** English and Persian text for the Admin UI (labels, descriptions, select options). */
export function enFa(en: string, fa: string): Array<{ languageCode: LanguageCode; value: string }> {
    return [
        { languageCode: LanguageCode.en, value: en },
        { languageCode: LanguageCode.fa, value: fa },
    ];
}

export const PROVINCE_ARG_HELP = enFa(
    'Province code (IR-23) or name, Persian or English, e.g. تهران or Tehran.',
    'کد استان (IR-23) یا نام فارسی یا انگلیسی آن، مثلاً تهران.',
);

export const CAP_ARG = {
    type: 'int' as const,
    defaultValue: 0,
    ui: { component: 'currency-form-input' },
    label: enFa('Maximum discount per order', 'سقف تخفیف در هر سفارش'),
    description: enFa(
        'In Rial; 0 = no cap. "20% up to 500,000 Toman" = 5,000,000 Rial.',
        'به ریال؛ صفر یعنی بدون سقف. «۲۰٪ تا سقف ۵۰۰ هزار تومان» یعنی ۵٬۰۰۰٬۰۰۰ ریال.',
    ),
};
