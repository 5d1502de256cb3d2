import { INestApplicationContext } from '@nestjs/common';
import {
    ChannelService,
    CollectionService,
    ConfigService,
    CountryService,
    CurrencyCode,
    FacetValue,
    GlobalSettingsService,
    Importer,
    LanguageCode,
    Logger,
    PaymentMethodService,
    Product,
    Province,
    ProvinceService,
    RequestContext,
    RequestContextService,
    SearchService,
    ShippingMethodService,
    TaxCategoryService,
    TaxRateService,
    TransactionalConnection,
    Zone,
    ZoneService,
} from '@vendure/core';

import { GlobalFlag } from '@vendure/common/lib/generated-types';
import { In } from 'typeorm';

import { AppConfig } from '../config/app-config';
import { IRAN_PROVINCES } from '../iran/provinces';
import { tomanToMoney, tomanToRial } from '../iran/money';

import { DEMO_CATEGORIES, DEMO_PRODUCTS } from './demo-products';

const loggerCtx = 'Seed';

export const IRAN_ZONE_NAME = 'Iran';
export const STANDARD_TAX_CATEGORY = 'Standard';

/** Payment and shipping methods the seed creates when their handler or calculator is configured. */
const PAYMENT_METHODS = [
    { code: 'zibal', handler: 'zibal', fa: 'پرداخت اینترنتی (زیبال)', en: 'Online payment (Zibal)' },
    {
        code: 'cash-on-delivery',
        handler: 'cash-on-delivery',
        // Cash on delivery up to 500,000,000 Rial (50 million Toman), in every province.
        checker: {
            code: 'cash-on-delivery-eligibility',
            arguments: [
                { name: 'maxOrderAmount', value: String(tomanToMoney(50_000_000)) },
                { name: 'provinces', value: '' },
            ],
        },
        fa: 'پرداخت در محل',
        en: 'Cash on delivery',
    },
];
const SHIPPING_METHODS = [
    {
        code: 'postex',
        calculator: 'postex',
        checker: 'postex-eligibility',
        fulfillment: 'postex',
        fa: 'ارسال با پستکس',
        en: 'Postex delivery',
    },
];
/** The fallback that works with no provider at all: a flat 500,000 Rial (50,000 Toman), VAT included. */
const FLAT_RATE = { code: 'flat-rate', price: tomanToMoney(50_000) };

/**
 * Seeds the demo shop: IRR pricing, Persian and English, the Iran zone with its 31 provinces, VAT,
 * ~50 products with Persian names, collections, and the payment and shipping methods of the plugins.
 * Every step checks what is there first, so running it again (or after an interrupted run) changes nothing.
 */
export async function seedDemoShop(
    app: INestApplicationContext,
    config: AppConfig,
): Promise<{ seeded: boolean }> {
    const createContext = () =>
        app.get(RequestContextService).create({ apiType: 'admin', languageCode: LanguageCode.en });
    const steps = new SeedSteps(app, await createContext(), config);
    const zone = await steps.ensureIranZone();
    await steps.ensureChannelDefaults(zone);
    // The context carries the channel as it was; prices must be imported in the channel's new currency.
    const ctx = await createContext();
    steps.ctx = ctx;
    await steps.ensureTax(zone);
    await steps.ensureShippingMethods();
    await steps.ensurePaymentMethods();
    const imported = await steps.ensureProducts();
    await steps.ensureCollections();
    if (imported) {
        await app.get(SearchService).reindex(ctx);
        Logger.info(`Demo shop seeded with ${imported} products`, loggerCtx);
    }
    return { seeded: imported > 0 };
}

class SeedSteps {
    constructor(
        private readonly app: INestApplicationContext,
        public ctx: RequestContext,
        private readonly config: AppConfig,
    ) {}

    async ensureIranZone(): Promise<Zone> {
        const countryService = this.app.get(CountryService);
        const countries = await countryService.findAll(this.ctx, { filter: { code: { eq: 'IR' } } });
        const country =
            countries.items[0] ??
            (await countryService.create(this.ctx, {
                code: 'IR',
                enabled: true,
                translations: [
                    { languageCode: LanguageCode.fa, name: 'ایران' },
                    { languageCode: LanguageCode.en, name: 'Iran' },
                ],
            }));
        const provinceService = this.app.get(ProvinceService);
        const existing = await provinceService.findAll(this.ctx, { take: 100 });
        const provinces: Province[] = [];
        for (const p of IRAN_PROVINCES) {
            provinces.push(
                existing.items.find(item => item.code === p.code) ??
                    (await provinceService.create(this.ctx, {
                        code: p.code,
                        enabled: true,
                        translations: [
                            { languageCode: LanguageCode.fa, name: p.fa },
                            { languageCode: LanguageCode.en, name: p.en },
                        ],
                    })),
            );
        }
        const connection = this.app.get(TransactionalConnection).rawConnection;
        await connection
            .getRepository(Province)
            .update({ id: In(provinces.map(p => p.id)) }, { parent: { id: country.id } });
        const zoneService = this.app.get(ZoneService);
        const zones = await zoneService.findAll(this.ctx);
        const zone =
            zones.items.find(z => z.name === IRAN_ZONE_NAME) ??
            (await zoneService.create(this.ctx, { name: IRAN_ZONE_NAME, memberIds: [] }));
        // ZoneService only adds countries; provinces join the zone through the repository.
        const zoneRepository = connection.getRepository(Zone);
        const withMembers = await zoneRepository.findOneOrFail({
            where: { id: zone.id },
            relations: ['members'],
        });
        const memberIds = new Set(withMembers.members.map(m => String(m.id)));
        const missingProvinces = provinces.filter(p => !memberIds.has(String(p.id)));
        if (missingProvinces.length) {
            withMembers.members = [...withMembers.members, ...missingProvinces];
            await zoneRepository.save(withMembers, { reload: false });
        }
        if (!memberIds.has(String(country.id)) || missingProvinces.length) {
            // Also refreshes Vendure's zone cache.
            await zoneService.addMembersToZone(this.ctx, { zoneId: zone.id, memberIds: [country.id] });
        }
        return zone;
    }

    async ensureChannelDefaults(zone: Zone): Promise<void> {
        await this.app.get(GlobalSettingsService).updateSettings(this.ctx, {
            availableLanguages: [LanguageCode.fa, LanguageCode.en],
        });
        const channel = await this.app.get(ChannelService).getDefaultChannel();
        if (channel.defaultCurrencyCode === CurrencyCode.IRR && channel.defaultTaxZone?.id === zone.id) {
            return;
        }
        await this.app.get(ChannelService).update(this.ctx, {
            id: channel.id,
            defaultLanguageCode: LanguageCode.fa,
            availableLanguageCodes: [LanguageCode.fa, LanguageCode.en],
            defaultCurrencyCode: CurrencyCode.IRR,
            availableCurrencyCodes: [CurrencyCode.IRR],
            // Iranian shelf prices include VAT.
            pricesIncludeTax: true,
            defaultTaxZoneId: zone.id,
            defaultShippingZoneId: zone.id,
        });
    }

    async ensureTax(zone: Zone): Promise<void> {
        const taxCategoryService = this.app.get(TaxCategoryService);
        const categories = await taxCategoryService.findAll(this.ctx);
        const category =
            categories.items.find(c => c.name === STANDARD_TAX_CATEGORY) ??
            (await taxCategoryService.create(this.ctx, { name: STANDARD_TAX_CATEGORY, isDefault: true }));
        const taxRateService = this.app.get(TaxRateService);
        const rates = await taxRateService.findAll(this.ctx);
        if (!rates.items.some(r => r.category?.id === category.id && r.zone?.id === zone.id)) {
            await taxRateService.create(this.ctx, {
                name: `VAT ${this.config.vatPercent}%`,
                categoryId: category.id,
                zoneId: zone.id,
                value: this.config.vatPercent,
                enabled: true,
            });
        }
    }

    async ensureShippingMethods(): Promise<void> {
        const service = this.app.get(ShippingMethodService);
        const existing = await service.findAll(this.ctx);
        const has = (code: string) => existing.items.some(m => m.code === code);
        const calculators = this.app.get(ConfigService).shippingOptions.shippingCalculators.map(c => c.code);
        const checkers = this.app
            .get(ConfigService)
            .shippingOptions.shippingEligibilityCheckers.map(c => c.code);
        const checker = {
            code: 'default-shipping-eligibility-checker',
            arguments: [{ name: 'orderMinimum', value: '0' }],
        };
        if (!has(FLAT_RATE.code)) {
            await service.create(this.ctx, {
                code: FLAT_RATE.code,
                fulfillmentHandler: 'manual-fulfillment',
                checker,
                calculator: {
                    code: 'default-shipping-calculator',
                    arguments: [
                        { name: 'rate', value: String(FLAT_RATE.price) },
                        { name: 'includesTax', value: 'include' },
                        // Delivery is a taxable service: the flat price includes VAT at the shop's rate, like
                        // Postex's prices (and its fallback), so every shipping line carries the same VAT.
                        { name: 'taxRate', value: String(this.config.vatPercent) },
                    ],
                },
                translations: [
                    { languageCode: LanguageCode.fa, name: 'ارسال با نرخ ثابت', description: '' },
                    { languageCode: LanguageCode.en, name: 'Flat-rate delivery', description: '' },
                ],
            });
        }
        for (const method of SHIPPING_METHODS) {
            if (has(method.code) || !calculators.includes(method.calculator)) {
                continue;
            }
            await service.create(this.ctx, {
                code: method.code,
                fulfillmentHandler: method.fulfillment,
                checker: checkers.includes(method.checker)
                    ? { code: method.checker, arguments: [] }
                    : checker,
                calculator: { code: method.calculator, arguments: [] },
                translations: [
                    { languageCode: LanguageCode.fa, name: method.fa, description: '' },
                    { languageCode: LanguageCode.en, name: method.en, description: '' },
                ],
            });
        }
    }

    async ensurePaymentMethods(): Promise<void> {
        const service = this.app.get(PaymentMethodService);
        const existing = await service.findAll(this.ctx);
        const handlers = this.app.get(ConfigService).paymentOptions.paymentMethodHandlers.map(h => h.code);
        const paymentCheckers = (
            this.app.get(ConfigService).paymentOptions.paymentMethodEligibilityCheckers ?? []
        ).map(c => c.code);
        for (const method of PAYMENT_METHODS) {
            if (existing.items.some(m => m.code === method.code) || !handlers.includes(method.handler)) {
                continue;
            }
            await service.create(this.ctx, {
                code: method.code,
                enabled: true,
                handler: { code: method.handler, arguments: [] },
                ...(method.checker && paymentCheckers.includes(method.checker.code)
                    ? { checker: method.checker }
                    : {}),
                translations: [
                    { languageCode: LanguageCode.fa, name: method.fa, description: '' },
                    { languageCode: LanguageCode.en, name: method.en, description: '' },
                ],
            });
        }
    }

    /** Imports the demo catalogue into a shop that has no products yet; returns how many were imported. */
    async ensureProducts(): Promise<number> {
        const productCount = await this.app
            .get(TransactionalConnection)
            .rawConnection.getRepository(Product)
            .count();
        if (productCount > 0) {
            return 0;
        }
        const categories = new Map(DEMO_CATEGORIES.map(c => [c.code, c]));
        const rows = DEMO_PRODUCTS.map((p, i) => {
            const category = categories.get(p.category)!;
            const facet = (languageCode: LanguageCode) => ({
                languageCode,
                facet: languageCode === LanguageCode.fa ? 'دسته' : 'Category',
                value: languageCode === LanguageCode.fa ? category.fa : category.en,
            });
            const slug = p.en
                .toLowerCase()
                .replace(/[^a-z0-9]+/g, '-')
                .replace(/^-|-$/g, '');
            const [length, width, height] = p.sizeCm;
            const dimensions = {
                weight: String(p.weightGrams),
                length: String(length),
                width: String(width),
                height: String(height),
            };
            return {
                product: {
                    assetPaths: [],
                    optionGroups: [],
                    facets: [{ translations: [facet(LanguageCode.fa), facet(LanguageCode.en)] }],
                    translations: [
                        {
                            languageCode: LanguageCode.fa,
                            name: p.fa,
                            slug,
                            description: p.fa,
                            customFields: {},
                        },
                        {
                            languageCode: LanguageCode.en,
                            name: p.en,
                            slug,
                            description: p.en,
                            customFields: {},
                        },
                    ],
                },
                variants: [
                    {
                        sku: `DEMO-${String(i + 1).padStart(3, '0')}`,
                        // Prices in major units (Rial): the Importer multiplies by 100 into money units.
                        price: tomanToRial(p.priceToman),
                        taxCategory: STANDARD_TAX_CATEGORY,
                        stockOnHand: 100,
                        trackInventory: GlobalFlag.TRUE,
                        assetPaths: [],
                        facets: [],
                        translations: [
                            { languageCode: LanguageCode.fa, optionValues: [], customFields: dimensions },
                            { languageCode: LanguageCode.en, optionValues: [], customFields: dimensions },
                        ],
                    },
                ],
            };
        });
        const errors = await this.app.get(Importer).importProducts(this.ctx, rows, () => undefined);
        if (errors.length) {
            throw new Error(`Demo product import failed:\n${errors.join('\n')}`);
        }
        return rows.length;
    }

    async ensureCollections(): Promise<void> {
        const collectionService = this.app.get(CollectionService);
        const existing = await collectionService.findAll(this.ctx, { take: 100 });
        const facetValues = await this.app
            .get(TransactionalConnection)
            .rawConnection.getRepository(FacetValue)
            .find({ relations: ['translations', 'facet'] });
        for (const category of DEMO_CATEGORIES) {
            if (existing.items.some(c => c.slug === category.code)) {
                continue;
            }
            const value = facetValues.find(v => v.translations.some(t => t.name === category.en));
            if (!value) {
                continue;
            }
            await collectionService.create(this.ctx, {
                filters: [
                    {
                        code: 'facet-value-filter',
                        arguments: [
                            { name: 'facetValueIds', value: JSON.stringify([String(value.id)]) },
                            { name: 'containsAny', value: 'false' },
                        ],
                    },
                ],
                translations: [
                    {
                        languageCode: LanguageCode.fa,
                        name: category.fa,
                        slug: category.code,
                        description: '',
                    },
                    {
                        languageCode: LanguageCode.en,
                        name: category.en,
                        slug: category.code,
                        description: '',
                    },
                ],
            });
        }
    }
}
