/** The 31 provinces of Iran with their ISO 3166-2:IR codes, used for the Iran zone and address checks. */
export interface IranProvince {
    code: string;
    fa: string;
    en: string;
}

export const IRAN_PROVINCES: readonly IranProvince[] = [
    { code: 'IR-00', fa: 'مرکزی', en: 'Markazi' },
    { code: 'IR-01', fa: 'گیلان', en: 'Gilan' },
    { code: 'IR-02', fa: 'مازندران', en: 'Mazandaran' },
    { code: 'IR-03', fa: 'آذربایجان شرقی', en: 'East Azerbaijan' },
    { code: 'IR-04', fa: 'آذربایجان غربی', en: 'West Azerbaijan' },
    { code: 'IR-05', fa: 'کرمانشاه', en: 'Kermanshah' },
    { code: 'IR-06', fa: 'خوزستان', en: 'Khuzestan' },
    { code: 'IR-07', fa: 'فارس', en: 'Fars' },
    { code: 'IR-08', fa: 'کرمان', en: 'Kerman' },
    { code: 'IR-09', fa: 'خراسان رضوی', en: 'Razavi Khorasan' },
    { code: 'IR-10', fa: 'اصفهان', en: 'Isfahan' },
    { code: 'IR-11', fa: 'سیستان و بلوچستان', en: 'Sistan and Baluchestan' },
    { code: 'IR-12', fa: 'کردستان', en: 'Kurdistan' },
    { code: 'IR-13', fa: 'همدان', en: 'Hamadan' },
    { code: 'IR-14', fa: 'چهارمحال و بختیاری', en: 'Chaharmahal and Bakhtiari' },
    { code: 'IR-15', fa: 'لرستان', en: 'Lorestan' },
    { code: 'IR-16', fa: 'ایلام', en: 'Ilam' },
    { code: 'IR-17', fa: 'کهگیلویه و بویراحمد', en: 'Kohgiluyeh and Boyer-Ahmad' },
    { code: 'IR-18', fa: 'بوشهر', en: 'Bushehr' },
    { code: 'IR-19', fa: 'زنجان', en: 'Zanjan' },
    { code: 'IR-20', fa: 'سمنان', en: 'Semnan' },
    { code: 'IR-21', fa: 'یزد', en: 'Yazd' },
    { code: 'IR-22', fa: 'هرمزگان', en: 'Hormozgan' },
    { code: 'IR-23', fa: 'تهران', en: 'Tehran' },
    { code: 'IR-24', fa: 'اردبیل', en: 'Ardabil' },
    { code: 'IR-25', fa: 'قم', en: 'Qom' },
    { code: 'IR-26', fa: 'قزوین', en: 'Qazvin' },
    { code: 'IR-27', fa: 'گلستان', en: 'Golestan' },
    { code: 'IR-28', fa: 'خراسان شمالی', en: 'North Khorasan' },
    { code: 'IR-29', fa: 'خراسان جنوبی', en: 'South Khorasan' },
    { code: 'IR-30', fa: 'البرز', en: 'Alborz' },
];
