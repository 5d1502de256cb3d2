import { toPersianDigits } from '../../../src/iran/digits';
import { IranianMobile } from '../../../src/iran/mobile';

/**
 * The spellings under which one mobile number is commonly stored (`09…`, `+989…`, `989…`, `00989…`, `9…`,
 * Persian digits), so a database lookup with `IN (…)` finds it without normalising every stored row.
 */
export function mobileSpellings(mobile: IranianMobile): string[] {
    const national = mobile.slice(1);
    const ascii = [mobile, `+98${national}`, `98${national}`, `0098${national}`, national];
    return [...ascii, toPersianDigits(mobile)];
}
