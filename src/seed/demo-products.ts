/** The demo catalogue: ~50 everyday products of an Iranian online shop, priced in Toman (converted to Rial on import). */
export interface DemoCategory {
    code: string;
    fa: string;
    en: string;
}

export interface DemoProduct {
    category: string;
    fa: string;
    en: string;
    priceToman: number;
    weightGrams: number;
    /** length, width, height in centimetres */
    sizeCm: [number, number, number];
}

export const DEMO_CATEGORIES: DemoCategory[] = [
    { code: 'electronics', fa: 'کالای دیجیتال', en: 'Electronics' },
    { code: 'books', fa: 'کتاب', en: 'Books' },
    { code: 'home', fa: 'خانه و آشپزخانه', en: 'Home & Kitchen' },
    { code: 'food', fa: 'خوراکی و نوشیدنی', en: 'Food & Drink' },
    { code: 'fashion', fa: 'مد و پوشاک', en: 'Fashion' },
    { code: 'beauty', fa: 'زیبایی و سلامت', en: 'Beauty & Health' },
];

type Row = [string, string, string, number, number, [number, number, number]];

const ROWS: Row[] = [
    [
        'electronics',
        'گوشی موبایل سامسونگ گلکسی A55',
        'Samsung Galaxy A55 phone',
        21_500_000,
        450,
        [18, 10, 6],
    ],
    [
        'electronics',
        'گوشی موبایل شیائومی ردمی نوت ۱۳',
        'Xiaomi Redmi Note 13 phone',
        12_900_000,
        420,
        [18, 10, 6],
    ],
    ['electronics', 'هدفون بی‌سیم انکر', 'Anker wireless headphones', 3_450_000, 300, [20, 18, 8]],
    ['electronics', 'پاوربانک ۲۰۰۰۰ میلی‌آمپر', '20,000 mAh power bank', 1_250_000, 420, [16, 8, 3]],
    ['electronics', 'شارژر دیواری ۶۵ وات', '65 W wall charger', 890_000, 150, [10, 8, 5]],
    ['electronics', 'کابل شارژ تایپ‌سی', 'USB-C charging cable', 180_000, 60, [12, 8, 2]],
    ['electronics', 'ماوس بی‌سیم لاجیتک', 'Logitech wireless mouse', 780_000, 120, [14, 9, 5]],
    ['electronics', 'کیبورد فارسی باسیم', 'Wired keyboard with Persian layout', 650_000, 700, [46, 16, 4]],
    ['electronics', 'فلش مموری ۶۴ گیگابایت', '64 GB USB flash drive', 320_000, 20, [8, 4, 1]],
    ['electronics', 'ساعت هوشمند', 'Smart watch', 4_200_000, 180, [12, 10, 8]],
    ['books', 'دیوان حافظ', 'The Divan of Hafez', 450_000, 900, [24, 17, 4]],
    [
        'books',
        'شاهنامه فردوسی (دوره دو جلدی)',
        "Ferdowsi's Shahnameh (two volumes)",
        1_800_000,
        2600,
        [30, 22, 10],
    ],
    ['books', 'گلستان سعدی', "Sa'di's Golestan", 280_000, 450, [21, 14, 2]],
    ['books', 'مثنوی معنوی', 'Masnavi', 950_000, 1800, [24, 17, 7]],
    ['books', 'بوف کور', 'The Blind Owl', 160_000, 200, [21, 14, 1]],
    ['books', 'کلیدر', 'Kelidar', 2_400_000, 3500, [24, 17, 16]],
    ['books', 'سووشون', 'Savushun', 220_000, 350, [21, 14, 2]],
    ['books', 'کتاب آشپزی رزا منتظمی', 'Rosa Montazami cookbook', 1_100_000, 1900, [29, 21, 5]],
    ['home', 'سماور برقی', 'Electric samovar', 3_900_000, 3200, [40, 30, 30]],
    ['home', 'قوری چینی گل‌سرخی', 'Rose-pattern porcelain teapot', 650_000, 900, [22, 16, 15]],
    ['home', 'استکان کمرباریک (۶ عددی)', 'Tea glasses (set of 6)', 380_000, 700, [24, 16, 9]],
    ['home', 'پلوپز دیجیتال', 'Digital rice cooker', 4_600_000, 4100, [38, 32, 30]],
    ['home', 'دیگ روحی ۲۴', 'Aluminium pot, size 24', 1_350_000, 1600, [30, 30, 20]],
    ['home', 'قابلمه تفلون', 'Non-stick pan', 1_750_000, 1400, [46, 28, 10]],
    ['home', 'فرش دستباف کاشان ۱×۱.۵', 'Hand-woven Kashan rug 1×1.5 m', 28_000_000, 6000, [100, 20, 20]],
    ['home', 'گلیم قشقایی', 'Qashqai kilim', 9_500_000, 3000, [90, 20, 20]],
    ['home', 'کتری استیل', 'Steel kettle', 890_000, 1100, [25, 20, 22]],
    ['food', 'زعفران سرگل یک مثقال', 'Sargol saffron, 4.6 g', 1_450_000, 30, [10, 8, 4]],
    ['food', 'پسته اکبری یک کیلویی', 'Akbari pistachios, 1 kg', 4_800_000, 1050, [25, 18, 8]],
    ['food', 'خرمای مضافتی بم', 'Bam Mazafati dates', 420_000, 1000, [22, 15, 6]],
    ['food', 'گز اصفهان', 'Isfahan gaz nougat', 680_000, 500, [24, 18, 5]],
    ['food', 'سوهان قم', 'Qom sohan', 390_000, 450, [20, 20, 4]],
    ['food', 'چای لاهیجان ۴۵۰ گرمی', 'Lahijan tea, 450 g', 310_000, 480, [18, 9, 7]],
    ['food', 'برنج طارم هاشمی ۱۰ کیلویی', 'Tarom Hashemi rice, 10 kg', 3_700_000, 10_000, [50, 35, 12]],
    ['food', 'عسل طبیعی سبلان', 'Sabalan natural honey', 950_000, 1100, [12, 12, 15]],
    ['food', 'آجیل چهارمغز', 'Mixed nuts', 1_900_000, 1000, [25, 18, 8]],
    ['fashion', 'پیراهن مردانه نخی', "Men's cotton shirt", 1_250_000, 300, [35, 28, 4]],
    ['fashion', 'مانتو تابستانه', 'Summer manteau', 1_850_000, 450, [40, 30, 4]],
    ['fashion', 'روسری ابریشمی', 'Silk headscarf', 950_000, 120, [25, 25, 2]],
    ['fashion', 'کفش ورزشی', 'Running shoes', 2_900_000, 900, [33, 22, 12]],
    ['fashion', 'کیف چرمی زنانه', "Women's leather bag", 3_600_000, 800, [35, 28, 12]],
    ['fashion', 'شال گردن پشمی', 'Wool scarf', 580_000, 200, [25, 20, 4]],
    ['fashion', 'جوراب نخی (۳ جفت)', 'Cotton socks (3 pairs)', 240_000, 150, [20, 12, 3]],
    ['beauty', 'کرم مرطوب‌کننده', 'Moisturising cream', 420_000, 120, [8, 8, 6]],
    ['beauty', 'شامپو گیاهی', 'Herbal shampoo', 180_000, 450, [20, 7, 5]],
    ['beauty', 'گلاب قمصر کاشان', 'Qamsar rose water', 120_000, 1000, [25, 9, 9]],
    ['beauty', 'صابون زیتون', 'Olive oil soap', 95_000, 120, [9, 6, 3]],
    ['beauty', 'ضدآفتاب SPF50', 'Sunscreen SPF50', 560_000, 80, [14, 5, 4]],
    ['beauty', 'مسواک برقی', 'Electric toothbrush', 1_600_000, 250, [25, 8, 6]],
    ['beauty', 'عطر مردانه ۱۰۰ میلی‌لیتر', "Men's perfume 100 ml", 3_200_000, 400, [14, 9, 9]],
];

export const DEMO_PRODUCTS: DemoProduct[] = ROWS.map(
    ([category, fa, en, priceToman, weightGrams, sizeCm]) => ({
        category,
        fa,
        en,
        priceToman,
        weightGrams,
        sizeCm,
    }),
);
