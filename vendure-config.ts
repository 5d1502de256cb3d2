import path from 'node:path';

import express from 'express';

import { AdminUiPlugin } from '@vendure/admin-ui-plugin';
import { AssetServerPlugin } from '@vendure/asset-server-plugin';
import {
    DefaultJobQueuePlugin,
    DefaultSchedulerPlugin,
    DefaultSearchPlugin,
    LanguageCode,
    RedisCachePlugin,
    VendureConfig,
} from '@vendure/core';
import { defaultEmailHandlers, EmailPlugin, FileBasedTemplateLoader } from '@vendure/email-plugin';
import { HardenPlugin } from '@vendure/harden-plugin';
import { BullMQJobQueuePlugin } from '@vendure/job-queue-plugin/package/bullmq';

import { DiscountRulesPlugin } from './plugins/discount-rules';
import { postgresMigrations } from './migrations/postgres';
import { ZibalPaymentPlugin } from './plugins/zibal-payment';
import { SmsOtpPlugin } from './plugins/sms-otp';
import { PostexShippingPlugin } from './plugins/postex-shipping';
import { SupportChatPlugin, supportChatUnreadReplyEmailHandler } from './plugins/support-chat';
import { ShopResponseCachePlugin } from './plugins/shop-response-cache';
import { sqliteMigrations } from './migrations/sqlite';
import { s3AssetStorageFactory } from './src/assets/s3-asset-storage';
import { AppConfig, ZIBAL_SANDBOX_MERCHANT } from './src/config/app-config';
import { DeliverableOnlyEmailSender } from './src/email/email-sender';
import { DemoStorefrontPlugin } from './src/demo-storefront/demo-storefront.plugin';
import { HealthPlugin } from './src/health/health.plugin';
import { ShippingQuoteRoundingPlugin } from './src/money/shipping-quote-rounding.plugin';
import { MetricsPlugin } from './src/metrics/metrics.plugin';
import { RialMoneyStrategy } from './src/iran/money';
import { PinoVendureLogger } from './src/logging/pino-logger';
import { tracingPlugins } from './src/tracing/tracing.plugin';
import { tracingStarted } from './src/tracing/tracing-state';
import { assignRequestId, requestIdMiddleware } from './src/logging/request-context';
import { STATIC_DIR } from './src/paths';
import { databaseErrorMaskPlugin } from './src/security/database-errors';
import { bodyLimits, securityHeaders, setBaseSecurityHeaders } from './src/security/http-hardening';
import { skipCostOfInvalidVariables } from './src/security/query-cost-skip';
import { RateLimitPlugin } from './src/security/rate-limit.plugin';
import { SchedulerShutdownPlugin } from './src/scheduler/scheduler-shutdown.plugin';
import { ProviderUrls } from './src/simulators/provider-urls';

/** Which process this config is for: the embedded profile runs everything in one process. */
export type ProcessRole = 'embedded' | 'server' | 'worker';

export interface BuildConfigOptions {
    role: ProcessRole;
    /** Where each provider's API is: the real one from the environment, or the simulator. */
    providers: ProviderUrls;
}

/**
 * Builds the Vendure configuration for one process from the validated application config.
 * Both profiles share everything but the database, the job queue and the cache.
 */
export function buildVendureConfig(app: AppConfig, options: BuildConfigOptions): VendureConfig {
    const isEmbedded = app.profile === 'embedded';
    const logger = new PinoVendureLogger({
        level: app.log.level,
        format: app.log.format,
        base: { process: options.role },
    });
    // Built here so this config keeps its own HTTP metrics: MetricsPlugin's statics belong to the last config built
    // (tests build two instances in one process).
    const metricsPlugin = app.metrics
        ? MetricsPlugin.init({
              role: options.role,
              port: options.role === 'worker' ? app.metrics.workerPort : app.metrics.port,
              host: app.metrics.host,
          })
        : undefined;
    const httpMetrics = metricsPlugin?.http;
    return {
        apiOptions: {
            port: app.port,
            hostname: app.host,
            adminApiPath: 'admin-api',
            shopApiPath: 'shop-api',
            trustProxy: app.appEnv === 'production' ? 1 : false,
            // Browsers may call the APIs with credentials only from this server (Admin UI) and the storefront;
            // Vendure's default reflects any origin. CSRF prevention refuses form-like requests (login CSRF).
            cors: {
                origin: [...new Set([app.publicUrl, app.storefrontUrl].map(u => new URL(u).origin))],
                credentials: true,
            },
            csrfPrevention: true,
            // A database failure (e.g. PostgreSQL restarting) reaches clients as a neutral message, not the driver's.
            apolloServerPlugins: [databaseErrorMaskPlugin()],
            middleware: [
                { route: '/', handler: requestIdMiddleware, beforeListen: true },
                {
                    route: '/',
                    handler: securityHeaders({
                        adminUiRoute: ADMIN_UI_ROUTE,
                        mailboxRoute: app.email.smtpUrl ? undefined : MAILBOX_ROUTE,
                        // API answers are JSON; their only HTML is the development playground, which loads a CDN.
                        noCspRoutes: ['admin-api', 'shop-api'],
                    }),
                    beforeListen: true,
                },
                {
                    route: '/',
                    handler: bodyLimits({
                        shopApiPath: 'shop-api',
                        adminApiPath: 'admin-api',
                        shopApiMaxBytes: app.security.shopApiMaxBodyBytes,
                        adminApiMaxBytes: app.security.adminApiMaxBodyBytes,
                    }),
                    beforeListen: true,
                },
                // The Admin UI's login picture (adminUiConfig.loginImageUrl), so login makes no outside request.
                {
                    route: `/${BRANDING_ROUTE}`,
                    handler: express.static(path.join(STATIC_DIR, 'branding'), { maxAge: '1d' }),
                },
            ],
            ...(app.appEnv === 'production'
                ? {}
                : {
                      adminApiPlayground: { settings: { 'request.credentials': 'include' } },
                      shopApiPlayground: {},
                  }),
        },
        authOptions: {
            tokenMethod: ['bearer', 'cookie'],
            superadminCredentials: { identifier: app.superadmin.username, password: app.superadmin.password },
            cookieOptions: {
                // Separate cookies, so an administrator's login is not also a session of the Shop API and back.
                name: { shop: 'session', admin: 'admin-session' },
                secret: app.cookieSecret,
                secure: app.appEnv === 'production',
                sameSite: 'lax',
            },
            requireVerification: true,
        },
        dbConnectionOptions:
            app.database.type === 'postgres'
                ? {
                      type: 'postgres',
                      url: app.database.url,
                      synchronize: false,
                      migrations: postgresMigrations,
                      migrationsRun: false,
                      logging: false,
                      // Connections stay open once made: node-postgres closes idle ones after 10 s by default,
                      // and re-opening a dozen at once under load (fork, auth, catalog caches) stalled every
                      // query for up to a second (bench:chat p99 250-750 ms -> 55 ms with this setting).
                      extra: { max: app.database.poolSize, idleTimeoutMillis: 0 },
                  }
                : {
                      type: 'better-sqlite3',
                      database: app.database.path,
                      synchronize: false,
                      migrations: sqliteMigrations,
                      migrationsRun: false,
                      logging: false,
                      // One process owns the file (see docs/architecture.md); WAL lets reads run beside a write.
                      enableWAL: true,
                      timeout: 10_000,
                  },
        assetOptions: { uploadMaxFileSize: app.security.uploadMaxBytes },
        entityOptions: { moneyStrategy: new RialMoneyStrategy() },
        paymentOptions: { paymentMethodHandlers: [] },
        schedulerOptions: {
            // The embedded profile has no separate worker process, so the server runs the scheduled tasks.
            runTasksInWorkerOnly: !isEmbedded,
        },
        systemOptions: {
            // Embedded: Vendure's default in-memory cache (one process). Services: RedisCachePlugin, shared.
            // Vendure's built-in checks are deprecated; HealthPlugin serves /health with real checks.
            healthChecks: [],
        },
        customFields: {
            ProductVariant: [
                {
                    name: 'weight',
                    type: 'int',
                    min: 0,
                    defaultValue: 0,
                    label: [
                        { languageCode: LanguageCode.en, value: 'Weight (g)' },
                        { languageCode: LanguageCode.fa, value: 'وزن (گرم)' },
                    ],
                },
                ...(['length', 'width', 'height'] as const).map(name => ({
                    name,
                    type: 'int' as const,
                    min: 0,
                    defaultValue: 0,
                    label: [
                        {
                            languageCode: LanguageCode.en,
                            value: `${name[0].toUpperCase()}${name.slice(1)} (cm)`,
                        },
                        { languageCode: LanguageCode.fa, value: `${DIMENSION_FA[name]} (سانتی‌متر)` },
                    ],
                })),
            ],
        },
        logger,
        plugins: [
            HealthPlugin.init({ redisUrl: app.redisUrl }),
            ShippingQuoteRoundingPlugin,
            // Query cost limit on the Shop API (the Admin API needs a login anyway); in production also no
            // introspection and no field-name suggestions in validation errors.
            HardenPlugin.init({
                maxQueryComplexity: app.security.maxQueryCost,
                apiMode: app.appEnv === 'production' ? 'prod' : 'dev',
                hideFieldSuggestions: app.appEnv === 'production',
                logComplexityScore: app.log.level === 'debug',
                skip: skipCostOfInvalidVariables,
            }),
            RateLimitPlugin.init({
                rules: app.security.rateLimits,
                redis: app.redisUrl
                    ? { url: app.redisUrl, keyPrefix: `${app.redisPrefix}:ratelimit:` }
                    : undefined,
            }),
            ...jobQueuePlugins(app),
            DefaultSchedulerPlugin.init(),
            // After DefaultSchedulerPlugin: its strategy, made safe to stop while a task runs.
            SchedulerShutdownPlugin,
            DiscountRulesPlugin.init({}),
            DefaultSearchPlugin.init({ bufferUpdates: false, indexStockStatus: true }),
            AssetServerPlugin.init({
                route: 'assets',
                assetUploadDir: app.assetsDir,
                // S3 (checked at start, see s3-asset-storage.ts) when S3_BUCKET is set; else files under ASSETS_DIR.
                ...(app.assetStorage.type === 's3'
                    ? { storageStrategyFactory: s3AssetStorageFactory(app.assetStorage) }
                    : {}),
            }),
            PostexShippingPlugin.init({
                apiUrl: options.providers.postex,
                apiKey: app.postex.apiKey ?? 'simulator',
                originCityCode: app.postex.originCityCode,
            }),
            EmailPlugin.init({
                // Development without SMTP_URL: emails are files, readable at /mailbox. Production requires SMTP_URL
                // (app-config), so the mailbox, which shows every password-reset link, never runs there.
                ...(app.email.smtpUrl
                    ? { transport: { type: 'smtp' as const, url: app.email.smtpUrl } }
                    : {
                          devMode: true as const,
                          outputPath: path.join(path.dirname(app.assetsDir), 'emails'),
                          route: MAILBOX_ROUTE,
                      }),
                emailSender: new DeliverableOnlyEmailSender(),
                handlers: [...defaultEmailHandlers, supportChatUnreadReplyEmailHandler],
                templateLoader: new FileBasedTemplateLoader(path.join(STATIC_DIR, 'email', 'templates')),
                globalTemplateVars: {
                    fromAddress: app.email.from,
                    verifyEmailAddressUrl: `${app.storefrontUrl}/verify`,
                    passwordResetUrl: `${app.storefrontUrl}/password-reset`,
                    changeEmailAddressUrl: `${app.storefrontUrl}/verify-email-address-change`,
                    supportChatUrl: `${app.storefrontUrl}/support`,
                },
            }),
            ZibalPaymentPlugin.init({
                // Outside production the default is Zibal's sandbox merchant; production refuses it.
                merchant: app.zibal.merchant ?? ZIBAL_SANDBOX_MERCHANT,
                apiUrl: options.providers.zibal,
                platformApiUrl: options.providers.zibalPlatform,
                platformToken: app.zibal.platformToken,
                publicUrl: app.publicUrl,
                storefrontUrl: app.storefrontUrl,
                reconcileAfterMs: app.zibal.reconcileAfterMs,
                claimTtlMs: app.zibal.claimTtlMs,
            }),
            // Payment landing pages for the demo shop, only while no real storefront is configured.
            ...(app.storefrontUrl === `${app.publicUrl}/storefront` ? [DemoStorefrontPlugin] : []),
            SmsOtpPlugin.init({
                smsir: {
                    baseUrl: options.providers.smsir,
                    // The simulator takes any key; production checks insist on a real one.
                    apiKey: app.smsir.apiKey ?? 'simulator',
                    // 123456 is SMS.ir's sandbox template (#CODE#).
                    templateId: Number(app.smsir.templateId ?? 123456),
                },
                secret: app.cookieSecret,
                redis: app.redisUrl ? { url: app.redisUrl, keyPrefix: `${app.redisPrefix}:otp:` } : undefined,
                simulatorInboxUrl: options.providers.simulated.includes('smsir')
                    ? `${options.providers.smsir}/__inbox`
                    : undefined,
            }),
            SupportChatPlugin.init({
                unreadNotifyAfterSeconds: app.chatUnreadNotifyAfterSeconds,
                redis: app.redisUrl
                    ? { url: app.redisUrl, keyPrefix: `${app.redisPrefix}:chat:` }
                    : undefined,
                // Built by `npm run build` (scripts/build-assets.ts), served at /support-chat/widget.js.
                widget: { dir: path.join(STATIC_DIR, 'support-chat') },
            }),
            AdminUiPlugin.init({
                route: ADMIN_UI_ROUTE,
                port: app.port,
                // Prepared by startServer() (src/admin-ui.ts): this deployment's own copy of the rewritten files.
                app: { path: adminUiPath(app) },
                adminUiConfig: {
                    defaultLanguage: LanguageCode.fa,
                    availableLanguages: [LanguageCode.fa, LanguageCode.en],
                    defaultLocale: 'IR',
                    brand: 'Iran Shop',
                    // Vendure's default fetches a picture from login-image.vendure.io (Unsplash) at every login.
                    loginImageUrl: `/${BRANDING_ROUTE}/login.svg`,
                    hideVendureBranding: false,
                },
            }),
            // Only in a process whose OpenTelemetry SDK runs (OTEL_EXPORTER_OTLP_ENDPOINT, src/tracing/preload.ts);
            // after the job queue plugin, whose strategy it wraps to carry trace context into jobs.
            ...(tracingStarted() ? tracingPlugins(logger) : []),
            // After the job queue plugin: it wraps the job queue strategy configured above and reads the plugins' services.
            ...(metricsPlugin ? [metricsPlugin] : []),
            // After the job queue plugin (it observes search-index jobs through the job queue strategy) and after
            // MetricsPlugin (its HTTP middleware must come before this one's, which answers hits). Redis holds
            // the generation counter (REDIS_URL: must not evict) and the answers (REDIS_CACHE_URL: may evict).
            ShopResponseCachePlugin.init({
                ...app.shopResponseCache,
                shopApiBodyLimitBytes: app.security.shopApiMaxBodyBytes,
                // Hits answered before Express get what the middleware above gives every answer.
                beforeEarlyAnswer: (req, res) => {
                    assignRequestId(req, res);
                    setBaseSecurityHeaders(res);
                    httpMetrics?.observe(req, res);
                },
                redis: app.redisUrl
                    ? {
                          url: app.redisUrl,
                          cacheUrl: app.redisCacheUrl,
                          keyPrefix: `${app.redisPrefix}:response-cache:`,
                      }
                    : undefined,
            }),
        ],
    };
}

export function adminUiPath(app: AppConfig): string {
    return app.adminUiDir;
}

/** Static files of the shop's own branding (the Admin UI login picture). */
const BRANDING_ROUTE = 'branding';
const MAILBOX_ROUTE = 'mailbox';
const ADMIN_UI_ROUTE = 'admin';

const DIMENSION_FA = { length: 'طول', width: 'عرض', height: 'ارتفاع' } as const;

function jobQueuePlugins(app: AppConfig): NonNullable<VendureConfig['plugins']> {
    if (!app.redisUrl) {
        return [DefaultJobQueuePlugin.init({ pollInterval: 500 })];
    }
    const connection = redisConnection(app.redisUrl);
    return [
        BullMQJobQueuePlugin.init({
            connection,
            queueOptions: { prefix: app.redisPrefix },
            // A job whose worker died keeps its lock until it expires; the stalled check then puts it back.
            workerOptions: {
                prefix: app.redisPrefix,
                lockDuration: app.jobLockMs,
                stalledInterval: app.jobLockMs,
            },
        }),
        RedisCachePlugin.init({
            redisOptions: redisConnection(app.redisCacheUrl ?? app.redisUrl),
            namespace: `${app.redisPrefix}:cache`,
        }),
    ];
}

function redisConnection(url: string) {
    const redis = new URL(url);
    return {
        host: redis.hostname,
        port: Number(redis.port || 6379),
        username: redis.username || undefined,
        password: redis.password ? decodeURIComponent(redis.password) : undefined,
        db: redis.pathname.length > 1 ? Number(redis.pathname.slice(1)) : 0,
        tls: redis.protocol === 'rediss:' ? {} : undefined,
        maxRetriesPerRequest: null,
    };
}
