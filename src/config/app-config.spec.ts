import { describe, expect, it } from 'vitest';

import { EmailPlugin, EmailPluginOptions } from '@vendure/email-plugin';
import { HardenPlugin } from '@vendure/harden-plugin';

import { buildVendureConfig } from '../../vendure-config';
import { resolveProviderUrls } from '../simulators/provider-urls';

import { ConfigError, loadAppConfig } from './app-config';

const SAFE_PRODUCTION = {
    APP_ENV: 'production',
    DATABASE_URL: 'postgresql://shop@db:5432/shop',
    REDIS_URL: 'redis://redis:6379',
    PUBLIC_URL: 'https://api.shop.ir',
    STOREFRONT_URL: 'https://shop.ir',
    SUPERADMIN_PASSWORD: 'a-long-and-random-password',
    COOKIE_SECRET: 'x'.repeat(40),
    ZIBAL_MERCHANT: 'merchant-id',
    ZIBAL_API_URL: 'https://gateway.zibal.ir',
    SMSIR_API_KEY: 'key',
    SMSIR_TEMPLATE_ID: '123456',
    SMSIR_API_URL: 'https://api.sms.ir',
    POSTEX_API_KEY: 'key',
    POSTEX_API_URL: 'https://api.postex.ir/api/v1',
    SMTP_URL: 'smtps://shop:secret@mail.shop.ir',
    EMAIL_FROM: '"Shop" <noreply@shop.ir>',
};

function problemsOf(env: Record<string, string>): string[] {
    try {
        loadAppConfig(env);
        return [];
    } catch (e) {
        if (e instanceof ConfigError) {
            return e.problems;
        }
        throw e;
    }
}

describe('loadAppConfig', () => {
    it('defaults to the embedded profile with SQLite under data/', () => {
        const config = loadAppConfig({});
        expect(config.profile).toBe('embedded');
        expect(config.database).toEqual({
            type: 'better-sqlite3',
            path: expect.stringMatching(/data\/shop\.sqlite$/),
        });
        expect(config.port).toBe(3000);
        expect(config.seedOnStart).toBe(true);
        expect(config.zibal.apiUrl).toBeUndefined();
    });

    it('listens on this machine only outside production, unless HOST says otherwise', () => {
        expect(loadAppConfig({}).host).toBe('127.0.0.1');
        expect(loadAppConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
        expect(loadAppConfig(SAFE_PRODUCTION).host).toBe('0.0.0.0');
    });

    it('chooses the services profile when DATABASE_URL is set', () => {
        const config = loadAppConfig({ DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379' });
        expect(config.profile).toBe('services');
        expect(config.database).toEqual({ type: 'postgres', url: 'postgres://u@h/db', poolSize: 20 });
        expect(config.redisUrl).toBe('redis://h:6379');
    });

    it('lets a server heap grow 100 % between major collections unless HEAP_GROWING_PERCENT says otherwise', () => {
        expect(loadAppConfig({}).heapGrowingPercent).toBe(100);
        expect(loadAppConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
        expect(problemsOf({ HEAP_GROWING_PERCENT: '-5' })[0]).toMatch(/^HEAP_GROWING_PERCENT:/);
    });

    it('turns the Shop response cache on by default and off with SHOP_RESPONSE_CACHE=off, with its limits', () => {
        expect(loadAppConfig({}).shopResponseCache).toEqual({
            enabled: true,
            maxAgeSeconds: 60,
            httpMaxAgeSeconds: 0,
            maxBytes: 64 * 1024 * 1024,
            maxEntries: 10_000,
        });
        const off = loadAppConfig({
            SHOP_RESPONSE_CACHE: 'off',
            SHOP_RESPONSE_CACHE_MAX_AGE: '30',
            SHOP_RESPONSE_CACHE_MAX_MB: '8',
            SHOP_RESPONSE_CACHE_MAX_ENTRIES: '500',
        }).shopResponseCache;
        expect(off).toMatchObject({
            enabled: false,
            maxAgeSeconds: 30,
            maxBytes: 8 * 1024 * 1024,
            maxEntries: 500,
        });
        expect(() => loadAppConfig({ SHOP_RESPONSE_CACHE: 'no' })).toThrow(/SHOP_RESPONSE_CACHE/);
    });

    it('names the variable of a malformed value', () => {
        expect(problemsOf({ PORT: 'eighty' })[0]).toMatch(/^PORT:/);
        expect(problemsOf({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL:/);
        expect(problemsOf({ ZIBAL_API_URL: 'not a url' })[0]).toMatch(/^ZIBAL_API_URL:/);
        expect(problemsOf({ SMTP_URL: 'mail.shop.ir' })[0]).toMatch(/^SMTP_URL:/);
        expect(problemsOf({ OTEL_TRACES_SAMPLER: 'parentbased_ratio' })[0]).toMatch(/^OTEL_TRACES_SAMPLER:/);
        expect(problemsOf({ OTEL_TRACES_SAMPLER_ARG: '10%' })[0]).toMatch(/^OTEL_TRACES_SAMPLER_ARG:/);
        expect(problemsOf({ OTEL_TRACES_SAMPLER_ARG: '2' })[0]).toMatch(/^OTEL_TRACES_SAMPLER_ARG:/);
        expect(
            problemsOf({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
        ).toEqual([]);
    });

    it('accepts a safe production configuration', () => {
        expect(problemsOf(SAFE_PRODUCTION)).toEqual([]);
    });

    it.each([
        ['SUPERADMIN_PASSWORD', { SUPERADMIN_PASSWORD: 'superadmin' }],
        ['COOKIE_SECRET', { COOKIE_SECRET: 'short' }],
        ['COOKIE_SECRET', { COOKIE_SECRET: '' }],
        ['ZIBAL_API_URL', { ZIBAL_API_URL: '' }],
        ['ZIBAL_API_URL', { ZIBAL_API_URL: 'http://gateway.zibal.ir' }],
        ['SMSIR_API_URL', { SMSIR_API_URL: 'http://127.0.0.1:3099/smsir' }],
        ['ZIBAL_MERCHANT', { ZIBAL_MERCHANT: '' }],
        ['ZIBAL_MERCHANT', { ZIBAL_MERCHANT: 'zibal' }],
        ['ZIBAL_MERCHANT', { ZIBAL_MERCHANT: ' Zibal ' }],
        ['SMSIR_API_KEY', { SMSIR_API_KEY: '' }],
        ['POSTEX_API_KEY', { POSTEX_API_KEY: '' }],
        ['DATABASE_URL', { DATABASE_URL: '' }],
        ['REDIS_URL', { REDIS_URL: '' }],
        ['SMTP_URL', { SMTP_URL: '' }],
        ['STOREFRONT_URL', { STOREFRONT_URL: '' }],
        ['ZIBAL_PLATFORM_URL', { ZIBAL_PLATFORM_URL: 'http://api.zibal.ir' }],
        ['EMAIL_FROM', { EMAIL_FROM: '' }],
    ])('refuses to start in production with an unsafe %s', (variable, override) => {
        const problems = problemsOf({ ...SAFE_PRODUCTION, ...override });
        expect(problems.some(p => p.startsWith(`${variable}:`))).toBe(true);
    });
});

describe('buildVendureConfig', () => {
    const providers = (app: ReturnType<typeof loadAppConfig>) =>
        resolveProviderUrls(app, 'http://127.0.0.1:1');

    it('runs scheduled tasks in the server process in the embedded profile only', () => {
        const embedded = loadAppConfig({});
        const services = loadAppConfig({ DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379' });
        expect(
            buildVendureConfig(embedded, { role: 'embedded', providers: providers(embedded) })
                .schedulerOptions?.runTasksInWorkerOnly,
        ).toBe(false);
        expect(
            buildVendureConfig(services, { role: 'server', providers: providers(services) }).schedulerOptions
                ?.runTasksInWorkerOnly,
        ).toBe(true);
    });

    it('keeps PostgreSQL connections open once made, DB_POOL_SIZE of them per process', () => {
        const app = loadAppConfig({ DATABASE_URL: 'postgres://u@h/db', DB_POOL_SIZE: '8' });
        const db = buildVendureConfig(app, { role: 'server', providers: providers(app) }).dbConnectionOptions;
        expect(db.type === 'postgres' && db.extra).toEqual({ max: 8, idleTimeoutMillis: 0 });
        expect(problemsOf({ DB_POOL_SIZE: '0' })[0]).toMatch(/^DB_POOL_SIZE:/);
    });

    it('serves the development mailbox only without SMTP_URL, and sends through SMTP with it', () => {
        const emailOptions = () => (EmailPlugin as unknown as { options: EmailPluginOptions }).options;
        const dev = loadAppConfig({});
        buildVendureConfig(dev, { role: 'embedded', providers: providers(dev) });
        expect(emailOptions()).toMatchObject({ devMode: true, route: 'mailbox' });
        const smtp = loadAppConfig({ SMTP_URL: 'smtp://mail.shop.ir:587', EMAIL_FROM: 'shop@shop.ir' });
        buildVendureConfig(smtp, { role: 'server', providers: providers(smtp) });
        expect(emailOptions().transport).toEqual({ type: 'smtp', url: 'smtp://mail.shop.ir:587' });
        expect(emailOptions()).not.toHaveProperty('devMode');
        expect(emailOptions()).not.toHaveProperty('route');
        expect(emailOptions().globalTemplateVars).toMatchObject({ fromAddress: 'shop@shop.ir' });
    });

    it('never synchronizes the schema: migrations only', () => {
        const embedded = loadAppConfig({});
        const services = loadAppConfig({ DATABASE_URL: 'postgres://u@h/db' });
        for (const app of [embedded, services]) {
            const db = buildVendureConfig(app, {
                role: 'server',
                providers: providers(app),
            }).dbConnectionOptions;
            expect(db.synchronize).toBe(false);
            expect(db.migrations).not.toHaveLength(0);
        }
    });

    it('uses the simulator for providers without a configured URL', () => {
        const app = loadAppConfig({ ZIBAL_API_URL: 'https://gateway.zibal.ir' });
        const urls = resolveProviderUrls(app, 'http://127.0.0.1:3099');
        expect(urls.zibal).toBe('https://gateway.zibal.ir');
        expect(urls.smsir).toBe('http://127.0.0.1:3099/smsir');
        expect(urls.simulated).toEqual(['smsir', 'postex']);
    });
    it('stores assets on the local disk unless S3_BUCKET is set', () => {
        expect(loadAppConfig({}).assetStorage).toEqual({ type: 'local' });
        expect(
            loadAppConfig({
                S3_BUCKET: 'shop-assets',
                S3_ENDPOINT: 'https://s3.ir-thr-at1.arvanstorage.ir',
                S3_ACCESS_KEY_ID: 'id',
                S3_SECRET_ACCESS_KEY: 'secret',
            }).assetStorage,
        ).toEqual({
            type: 's3',
            bucket: 'shop-assets',
            endpoint: 'https://s3.ir-thr-at1.arvanstorage.ir',
            region: 'us-east-1',
            credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
            // A custom endpoint (MinIO, ...) usually needs path-style requests; AWS S3 does not.
            forcePathStyle: true,
        });
        expect(loadAppConfig({ S3_BUCKET: 'b-1', S3_REGION: 'eu-central-1' }).assetStorage).toEqual({
            type: 's3',
            bucket: 'b-1',
            endpoint: undefined,
            region: 'eu-central-1',
            credentials: undefined,
            forcePathStyle: false,
        });
        expect(
            loadAppConfig({
                S3_BUCKET: 'b-1',
                S3_ENDPOINT: 'http://minio:9000',
                S3_FORCE_PATH_STYLE: 'false',
            }).assetStorage,
        ).toMatchObject({ forcePathStyle: false });
    });

    it('names the S3 variable that is wrong or missing', () => {
        expect(problemsOf({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'id' })).toEqual([
            'S3_BUCKET: must be set when S3_ENDPOINT, S3_ACCESS_KEY_ID are set',
        ]);
        expect(problemsOf({ S3_BUCKET: 'Shop_Assets' })).toEqual([
            expect.stringMatching(/^S3_BUCKET: must be an S3 bucket name/),
        ]);
        expect(problemsOf({ S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'id' })).toEqual([
            'S3_SECRET_ACCESS_KEY: must be set together with S3_ACCESS_KEY_ID',
        ]);
        expect(problemsOf({ S3_BUCKET: 'b-1', S3_SECRET_ACCESS_KEY: 'x' })).toEqual([
            'S3_ACCESS_KEY_ID: must be set together with S3_SECRET_ACCESS_KEY',
        ]);
        expect(problemsOf({ S3_BUCKET: 'b-1', S3_ENDPOINT: 'minio:9000' })).toEqual([
            expect.stringMatching(/^S3_ENDPOINT: /),
        ]);
        expect(problemsOf({ S3_BUCKET: 'b-1', S3_REGION: 'EU West' })).toEqual([
            expect.stringMatching(/^S3_REGION: /),
        ]);
        expect(problemsOf({ ...SAFE_PRODUCTION, S3_BUCKET: 'shop-assets' })).toEqual([]);
    });
    it('reads the per-IP limits as N/<window> or off, and names a malformed one', () => {
        expect(loadAppConfig({}).security.rateLimits).toEqual({
            LOGIN: { limit: 30, windowSeconds: 900 },
            REGISTER: { limit: 20, windowSeconds: 3600 },
            PASSWORD_RESET: { limit: 10, windowSeconds: 3600 },
            NEW_ORDER: { limit: 60, windowSeconds: 600 },
        });
        const custom = loadAppConfig({ RATE_LIMIT_LOGIN: '5/30s', RATE_LIMIT_NEW_ORDER: 'off' }).security;
        expect(custom.rateLimits.LOGIN).toEqual({ limit: 5, windowSeconds: 30 });
        expect(custom.rateLimits.NEW_ORDER).toBeUndefined();
        expect(problemsOf({ RATE_LIMIT_REGISTER: '10 per hour' })).toEqual([
            expect.stringMatching(/^RATE_LIMIT_REGISTER: must be N\/<window>/),
        ]);
    });

    it('limits request bodies and uploads: Shop API 100 KiB, Admin API 1 MiB, assets 20 MiB by default', () => {
        const { security } = loadAppConfig({});
        expect(security).toMatchObject({
            shopApiMaxBodyBytes: 100 * 1024,
            adminApiMaxBodyBytes: 1024 * 1024,
            uploadMaxBytes: 20 * 1024 * 1024,
        });
        const config = buildVendureConfig(loadAppConfig({ ASSET_UPLOAD_MAX_MB: '5' }), {
            role: 'embedded',
            providers: resolveProviderUrls(loadAppConfig({}), 'http://127.0.0.1:9'),
        });
        expect(config.assetOptions?.uploadMaxFileSize).toBe(5 * 1024 * 1024);
    });

    it('hardens the GraphQL APIs: no introspection or field suggestions in production, a Shop API cost limit always', () => {
        const harden = (env: Record<string, string>) => {
            const app = loadAppConfig(env);
            buildVendureConfig(app, {
                role: 'server',
                providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
            });
            return HardenPlugin.options;
        };
        expect(harden(SAFE_PRODUCTION)).toMatchObject({
            apiMode: 'prod',
            hideFieldSuggestions: true,
            maxQueryComplexity: 5000,
        });
        expect(harden({ GRAPHQL_MAX_QUERY_COST: '8000' })).toMatchObject({
            apiMode: 'dev',
            hideFieldSuggestions: false,
            maxQueryComplexity: 8000,
        });
    });
});
