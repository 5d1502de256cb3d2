import { toAsciiDigits } from '../../../src/iran/digits';
import { RULE_CODES } from '../constants';

import { jalaliToGregorian, parseJalaliDate } from './jalali';
import { provinceCode } from './region';
import { parseClockTime, WEEKDAY_CODES } from './tehran-time';
import { parseTiers } from './tiers';

/** One argument of one rule that would make the promotion never (or wrongly) apply. */
export interface ArgumentProblem {
    rule: string;
    argument: string;
    en: string;
    fa: string;
}

/** A condition or action as the Admin API receives it: argument values are strings, lists JSON-encoded. */
export interface OperationInput {
    code: string;
    arguments: Array<{ name: string; value: string }>;
}

/**
 * What is wrong with the arguments of this plugin's rules (other codes are not checked), so a promotion is refused
 * when it is saved instead of silently never applying. An argument that is absent is left to Vendure's defaults.
 */
export function ruleArgumentProblems(operation: OperationInput): ArgumentProblem[] {
    const args = new Map(operation.arguments.map(a => [a.name, a.value]));
    const problems: ArgumentProblem[] = [];
    const problem = (argument: string, en: string, fa: string) =>
        problems.push({ rule: operation.code, argument, en, fa });
    const number = (name: string) => (args.has(name) ? Number(toAsciiDigits(args.get(name)!)) : undefined);
    const percentage = (name: string) => {
        const value = number(name);
        if (value !== undefined && !(value >= 0 && value <= 100)) {
            problem(
                name,
                `must be a percentage from 0 to 100, not "${args.get(name)}"`,
                `باید درصدی از ۰ تا ۱۰۰ باشد، نه «${args.get(name)}»`,
            );
        }
    };
    const wholeAtLeast = (name: string, min: number) => {
        const value = number(name);
        if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
            problem(
                name,
                `must be a whole number of at least ${min}, not "${args.get(name)}"`,
                `باید عددی صحیح و دست‌کم ${min} باشد، نه «${args.get(name)}»`,
            );
        }
    };

    switch (operation.code) {
        case RULE_CODES.volumeTier: {
            const basis = args.get('basis');
            if (basis !== undefined && basis !== 'quantity' && basis !== 'amount') {
                problem(
                    'basis',
                    `must be "quantity" or "amount", not "${basis}"`,
                    `باید «quantity» یا «amount» باشد، نه «${basis}»`,
                );
            }
            const lines = listValue(args.get('tiers'));
            const { tiers, invalid } = parseTiers(lines ?? []);
            if (lines === undefined || invalid.length) {
                const shown = lines === undefined ? String(args.get('tiers')) : invalid.join('", "');
                problem(
                    'tiers',
                    `"${shown}" is not a tier: write threshold:percent, one per row, e.g. 3:5 or 50,000,000:10`,
                    `«${shown}» پله نیست: هر ردیف آستانه:درصد، مثلاً 3:5 یا 50,000,000:10`,
                );
            } else if (!tiers.length) {
                problem('tiers', 'needs at least one tier, e.g. 3:5', 'دست‌کم یک پله لازم است، مثلاً 3:5');
            }
            break;
        }
        case RULE_CODES.weeklyWindow: {
            for (const name of ['from', 'to']) {
                const value = args.get(name);
                if (value !== undefined && parseClockTime(value) === undefined) {
                    problem(
                        name,
                        `"${value}" is not a time of day: write HH:MM, e.g. 18:00`,
                        `«${value}» ساعت نیست: به شکل HH:MM بنویسید، مثلاً 18:00`,
                    );
                }
            }
            const days = listValue(args.get('days'));
            const unknown = (days ?? []).filter(d => !(WEEKDAY_CODES as readonly string[]).includes(d));
            if (args.has('days') && (days === undefined || !days.length || unknown.length)) {
                problem(
                    'days',
                    `must list weekdays (${WEEKDAY_CODES.join(', ')})${unknown.length ? `, not "${unknown.join('", "')}"` : ''}`,
                    `باید روزهای هفته را برشمارد (${WEEKDAY_CODES.join('، ')})`,
                );
            }
            break;
        }
        case RULE_CODES.jalaliPeriod: {
            const dates: Record<string, ReturnType<typeof parseJalaliDate>> = {};
            for (const name of ['from', 'to']) {
                const value = args.get(name) ?? '';
                dates[name] = parseJalaliDate(value);
                if (!dates[name]) {
                    problem(
                        name,
                        `"${value}" is not a Jalali date: write YYYY/MM/DD between 1300 and 1499, e.g. 1406/01/13`,
                        `«${value}» تاریخ شمسی نیست: به شکل سال/ماه/روز بین ۱۳۰۰ و ۱۴۹۹، مثلاً 1406/01/13`,
                    );
                }
            }
            if (dates.from && dates.to && dayNumber(dates.to) < dayNumber(dates.from)) {
                problem(
                    'to',
                    `ends (${args.get('to')}) before it starts (${args.get('from')})`,
                    `پایان (${args.get('to')}) پیش از آغاز (${args.get('from')}) است`,
                );
            }
            break;
        }
        case RULE_CODES.shippingRegion: {
            const provinces = listValue(args.get('provinces'));
            const unknown = (provinces ?? []).filter(p => !provinceCode(p));
            if (provinces === undefined || !provinces.length || unknown.length) {
                problem(
                    'provinces',
                    unknown.length
                        ? `"${unknown.join('", "')}" is not a province of Iran (write IR-23, تهران or Tehran)`
                        : 'needs at least one province',
                    unknown.length
                        ? `«${unknown.join('»، «')}» استانی از ایران نیست (IR-23 یا تهران یا Tehran بنویسید)`
                        : 'دست‌کم یک استان لازم است',
                );
            }
            break;
        }
        case RULE_CODES.everyNItems:
            wholeAtLeast('n', 1);
            break;
        case RULE_CODES.usageLimitPerMobile:
            wholeAtLeast('limit', 1);
            break;
        case RULE_CODES.cheapestItem:
            percentage('discount');
            break;
        case RULE_CODES.cappedPercentage:
            percentage('discount');
            wholeAtLeast('maxDiscount', 0);
            break;
        case RULE_CODES.tieredDiscount:
            wholeAtLeast('maxDiscount', 0);
            break;
    }
    return problems;
}

/** A list argument's values, or `undefined` when it is not a JSON list of strings. */
function listValue(value: string | undefined): string[] | undefined {
    if (value === undefined) {
        return [];
    }
    try {
        const parsed = JSON.parse(value) as unknown;
        return Array.isArray(parsed) ? parsed.map(v => String(v)).filter(v => v.trim() !== '') : undefined;
    } catch {
        return undefined;
    }
}

function dayNumber(date: NonNullable<ReturnType<typeof parseJalaliDate>>): number {
    const g = jalaliToGregorian(date);
    return Date.UTC(g.year, g.month - 1, g.day);
}

/** One message naming every argument, English then Persian, as the Admin UI shows it. */
export function describeProblems(problems: ArgumentProblem[]): string {
    const en = problems.map(p => `${p.rule}: argument "${p.argument}" ${p.en}`).join('; ');
    const fa = problems.map(p => `${p.rule}: آرگومان «${p.argument}» ${p.fa}`).join('؛ ');
    return `Invalid discount rule arguments — ${en}. | آرگومان‌های نادرست قانون تخفیف — ${fa}.`;
}
