import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads `process.env`. Everything else receives a typed {@link AppConfig}.
 *
 * Two profiles are chosen by the environment:
 * - `embedded` (no `DATABASE_URL`): SQLite file, in-process job queue, built-in provider simulators.
 * - `services` (`DATABASE_URL` set): PostgreSQL, BullMQ workers on Redis (`REDIS_URL`), Redis cache.
 */

export const DEFAULT_SUPERADMIN_PASSWORD = 'superadmin';
const DEV_EMAIL_FROM = '"فروشگاه" <noreply@example.ir>';
const DEV_COOKIE_SECRET = 'dev-cookie-secret-change-me-in-production';
/** Zibal's sandbox merchant id: test payments verify with it, so no real money moves. */
export const ZIBAL_SANDBOX_MERCHANT = 'zibal';

const optionalString = z
    .string()
    .trim()
    .optional()
    .transform(v => (v === '' ? undefined : v));
const optionalUrl = optionalString.pipe(z.string().url().optional());
const optionalPort = z.preprocess(
    v => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
);
const booleanFlag = z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform(v => v === 'true' || v === '1');

/** The Shop API's query cost limit, measured against the storefront queries in docs/hardening.md. */
export const DEFAULT_MAX_QUERY_COST = 5000;

/** Which public operations have a per-IP limit (see src/security/rate-limit.ts). */
export type RateLimitScope = 'LOGIN' | 'REGISTER' | 'PASSWORD_RESET' | 'NEW_ORDER';
export interface RateLimitRule {
    limit: number;
    windowSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** `N/<window>` (`30/15m`, `10/1h`), or `off`; unset or empty: `fallback`. */
const rateLimit = (fallback: string) =>
    optionalString
        .transform(v => v ?? fallback)
        .pipe(
            z
                .string()
                .regex(
                    /^(off|\d{1,6}\/\d{1,4}[smhd])$/,
                    'must be N/<window> such as 30/15m or 10/1h (s, m, h, d), or off',
                )
                .transform((v): RateLimitRule | undefined => {
                    if (v === 'off') {
                        return undefined;
                    }
                    const [, n, w, unit] = /^(\d+)\/(\d+)([smhd])$/.exec(v)!;
                    return {
                        limit: Number(n),
                        windowSeconds: Number(w) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS],
                    };
                }),
        );

export const envSchema = z.object({
    APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().optional(),
    WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3020),
    /** Prometheus endpoint of the server (`GET /metrics`); unset = no metrics endpoint. */
    METRICS_PORT: optionalPort,
    /** Prometheus endpoint of the worker; default METRICS_PORT + 1 (npm start runs both on one host). */
    WORKER_METRICS_PORT: optionalPort,
    /** Address the metrics endpoints listen on; default HOST. */
    METRICS_HOST: optionalString,
    /**
     * OTLP/HTTP endpoint of a trace collector (e.g. `http://tempo:4318`); unset = tracing off (no SDK started).
     * The OpenTelemetry SDK reads it, and its other `OTEL_*` variables, itself (src/tracing/preload.ts).
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    /** `true` turns tracing off even with an endpoint (the OpenTelemetry SDK's own switch). */
    OTEL_SDK_DISABLED: booleanFlag,
    /**
     * The SDK's sampler and its argument (read by the SDK; checked here because the SDK only warns about a typo and
     * then traces everything).
     */
    OTEL_TRACES_SAMPLER: z
        .enum([
            'always_on',
            'always_off',
            'traceidratio',
            'parentbased_always_on',
            'parentbased_always_off',
            'parentbased_traceidratio',
        ])
        .optional(),
    OTEL_TRACES_SAMPLER_ARG: z.preprocess(
        v => (v === '' ? undefined : v),
        z.coerce.number().min(0).max(1).optional(),
    ),
    /** `true`: spans of Vendure's services too (their instrumentation proxy is the largest part of tracing's cost). */
    TRACE_VENDURE_SERVICES: z.enum(['true', 'false']).default('false'),
    PUBLIC_URL: optionalUrl,
    DATABASE_URL: optionalString.pipe(
        z
            .string()
            .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
            .optional(),
    ),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(600).default(20),
    HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(400).default(100),
    REDIS_URL: optionalString.pipe(
        z
            .string()
            .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
            .optional(),
    ),
    REDIS_CACHE_URL: optionalString.pipe(
        z
            .string()
            .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
            .optional(),
    ),
    /** BullMQ job lock: a job whose worker died (SIGKILL, OOM) is taken up again after 1-2x this. */
    JOB_LOCK_SECONDS: z.coerce.number().min(1).max(3600).default(30),
    REDIS_PREFIX: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/)
        .default('shop'),
    SQLITE_PATH: z.string().default(path.join('data', 'shop.sqlite')),
    ASSETS_DIR: z.string().default(path.join('data', 'assets')),
    BACKUP_DIR: z.string().default(path.join('data', 'backups')),
    BACKUP_STATUS_FILE: z.string().default(path.join('data', 'backup-status.json')),
    ADMIN_UI_DIR: optionalString,
    SUPERADMIN_USERNAME: z.string().min(1).default('superadmin'),
    SUPERADMIN_PASSWORD: z.string().min(1).default(DEFAULT_SUPERADMIN_PASSWORD),
    COOKIE_SECRET: optionalString,
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'verbose', 'debug']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    VAT_PERCENT: z.coerce.number().min(0).max(100).default(10),
    SEED_ON_START: booleanFlag.optional(),
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3099),
    STOREFRONT_URL: optionalUrl,
    ZIBAL_MERCHANT: optionalString,
    ZIBAL_API_URL: optionalUrl,
    ZIBAL_PLATFORM_TOKEN: optionalString,
    ZIBAL_PLATFORM_URL: optionalUrl,
    /** Zibal attempts still pending this long are inquired by the reconciliation task. */
    ZIBAL_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
    /** A verify claim left by a stopped process is taken over by reconciliation after this long. */
    ZIBAL_CLAIM_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
    SMSIR_API_KEY: optionalString,
    SMSIR_TEMPLATE_ID: optionalString,
    SMSIR_API_URL: optionalUrl,
    POSTEX_API_KEY: optionalString,
    POSTEX_API_URL: optionalUrl,
    SMTP_URL: optionalString.pipe(
        z
            .string()
            .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
            .optional(),
    ),
    EMAIL_FROM: optionalString,
    /** Postex city code of the warehouse parcels leave from (2401 is Tehran in the simulator). */
    POSTEX_ORIGIN_CITY_CODE: z.coerce.number().int().positive().default(2401),
    /** Uploaded assets go to this S3 bucket instead of ASSETS_DIR (required with several server replicas). */
    S3_BUCKET: optionalString.pipe(
        z
            .string()
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z 0-9 . -)')
            .optional(),
    ),
    /** S3-compatible service (MinIO, Ceph, ArvanCloud, ...); unset: AWS S3 of S3_REGION. */
    S3_ENDPOINT: optionalString.pipe(
        z
            .string()
            .url()
            .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
            .optional(),
    ),
    S3_REGION: optionalString,
    S3_ACCESS_KEY_ID: optionalString,
    S3_SECRET_ACCESS_KEY: optionalString,
    /** Bucket in the path (`endpoint/bucket/key`) rather than the host name; default: true with S3_ENDPOINT. */
    S3_FORCE_PATH_STYLE: z
        .enum(['true', 'false', '1', '0', ''])
        .optional()
        .transform(v => (v === undefined || v === '' ? undefined : v === 'true' || v === '1')),
    /** Highest Shop API query cost (HardenPlugin's estimate); see docs/hardening.md for the measured queries. */
    GRAPHQL_MAX_QUERY_COST: z.coerce.number().int().min(100).max(1_000_000).default(DEFAULT_MAX_QUERY_COST),
    RATE_LIMIT_LOGIN: rateLimit('30/15m'),
    RATE_LIMIT_REGISTER: rateLimit('20/1h'),
    RATE_LIMIT_PASSWORD_RESET: rateLimit('10/1h'),
    RATE_LIMIT_NEW_ORDER: rateLimit('60/10m'),
    /** Largest JSON (or form) request body of the Shop API, and of the Admin API, in KiB. */
    SHOP_API_MAX_BODY_KB: z.coerce.number().int().min(1).max(100_000).default(100),
    ADMIN_API_MAX_BODY_KB: z.coerce.number().int().min(1).max(100_000).default(1024),
    /** `off` turns the Shop API's anonymous catalog response cache off (plugins/shop-response-cache). */
    SHOP_RESPONSE_CACHE: z.enum(['on', 'off', '']).optional(),
    /** Longest life of a cached catalog answer, in seconds (the safety net behind event invalidation). */
    SHOP_RESPONSE_CACHE_MAX_AGE: z.coerce.number().int().min(1).max(3600).default(60),
    /** `max-age` of `Cache-Control: public` on cached answers for browsers and CDNs (0: revalidate every time). */
    SHOP_RESPONSE_CACHE_HTTP_MAX_AGE: z.coerce.number().int().min(0).max(3600).default(0),
    /** Memory of cached answers per server process, in MiB, and the most answers kept. */
    SHOP_RESPONSE_CACHE_MAX_MB: z.coerce.number().int().min(1).max(16_384).default(64),
    SHOP_RESPONSE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    /** A support reply unread by the shopper this long triggers the unread-reply email. */
    CHAT_UNREAD_NOTIFY_AFTER_SECONDS: z.coerce.number().int().min(0).max(604_800).default(180),
    /** Largest uploaded asset file, in MiB. */
    ASSET_UPLOAD_MAX_MB: z.coerce.number().min(0.01).max(10_000).default(20),
});

export type Env = z.input<typeof envSchema>;
export type Profile = 'embedded' | 'services';

export interface ProviderConfig {
    /** Base URL of the provider's API; `undefined` means "use the built-in simulator". */
    apiUrl?: string;
    credential?: string;
}

export interface AppConfig {
    appEnv: 'development' | 'test' | 'production';
    profile: Profile;
    port: number;
    host: string;
    workerHealthPort: number;
    /** Prometheus endpoints (`GET /metrics`), on ports of their own; undefined = off. */
    metrics?: { port: number; workerPort: number; host: string };
    /** OpenTelemetry traces exported by OTLP/HTTP; undefined = off. See {@link tracingSettings}. */
    tracing?: TracingSettings;
    /** Base URL under which this server is reachable from browsers (callbacks, links). */
    publicUrl: string;
    storefrontUrl: string;
    database: { type: 'better-sqlite3'; path: string } | { type: 'postgres'; url: string; poolSize: number };
    redisUrl?: string;
    /**
     * Redis of Vendure's cache (sessions, channels, ...), which may evict keys (LRU); defaults to `redisUrl`.
     * Jobs, OTP counters and chat fan-out stay on `redisUrl`, which must not evict.
     */
    redisCacheUrl?: string;
    /** Prefix of every Redis key this deployment writes (queues, cache), so deployments can share a Redis. */
    redisPrefix: string;
    /** A support reply unread this long triggers the unread-reply email. */
    chatUnreadNotifyAfterSeconds: number;
    /** BullMQ lock duration and stalled-job check interval: a dead worker's job runs again after 1-2x this. */
    jobLockMs: number;
    /** On SIGTERM, how long the server waits for accepted requests to be answered before it closes anyway. */
    shutdownDrainMs: number;
    /** V8 old-generation growth after a major GC, in percent (0 = V8's own heuristics). See runtime.ts. */
    heapGrowingPercent: number;
    assetsDir: string;
    /**
     * `dir`: where `npm run backup` writes SQLite backups (embedded profile). `statusFile`: the backup monitoring
     * signal (src/backup/backup-status.ts) the metrics endpoint reads.
     */
    backup: { dir: string; statusFile: string };
    /** Where uploaded assets are stored: ASSETS_DIR on local disk, or an S3 bucket shared by every replica. */
    assetStorage: { type: 'local' } | S3AssetStorageConfig;
    /**
     * This process's own Admin UI folder (links to the build plus the two files rewritten at start), so it must be
     * writable: with a read-only root filesystem, a path on an emptyDir or tmpfs.
     */
    adminUiDir: string;
    superadmin: { username: string; password: string };
    cookieSecret: string;
    log: { level: 'error' | 'warn' | 'info' | 'verbose' | 'debug'; format: 'json' | 'pretty' };
    vatPercent: number;
    seedOnStart: boolean;
    simulatorPort: number;
    zibal: {
        merchant?: string;
        apiUrl?: string;
        platformToken?: string;
        platformUrl?: string;
        reconcileAfterMs: number;
        claimTtlMs: number;
    };
    smsir: { apiKey?: string; templateId?: string; apiUrl?: string };
    postex: { apiKey?: string; apiUrl?: string; originCityCode: number };
    /**
     * Outgoing mail: through `smtpUrl` when set; without it (development only) every email is written to disk
     * and readable at `/mailbox`, which shows every customer's verification and password-reset links.
     */
    email: { smtpUrl?: string; from: string };
    /** The Shop API's anonymous catalog response cache (plugins/shop-response-cache/README.md). */
    shopResponseCache: {
        enabled: boolean;
        maxAgeSeconds: number;
        httpMaxAgeSeconds: number;
        maxBytes: number;
        maxEntries: number;
    };
    /** Production hardening of the HTTP and GraphQL layer (src/security, docs/hardening.md). */
    security: {
        maxQueryCost: number;
        /** Per client IPv4 address or IPv6 /64; `undefined`: no limit. */
        rateLimits: Record<RateLimitScope, RateLimitRule | undefined>;
        shopApiMaxBodyBytes: number;
        adminApiMaxBodyBytes: number;
        uploadMaxBytes: number;
    };
}

export interface S3AssetStorageConfig {
    type: 's3';
    bucket: string;
    /** Unset: AWS S3. */
    endpoint?: string;
    region: string;
    /** Unset: the AWS SDK's default chain (environment, web identity / IRSA, instance role). */
    credentials?: { accessKeyId: string; secretAccessKey: string };
    forcePathStyle: boolean;
}

export interface TracingSettings {
    /** `OTEL_EXPORTER_OTLP_ENDPOINT`: spans go to `<endpoint>/v1/traces` (OTLP/HTTP, JSON). */
    endpoint: string;
    /** `TRACE_VENDURE_SERVICES`: spans of Vendure's `@Instrument()` services (OrderService, ...). */
    vendureServices: boolean;
}

/**
 * Whether traces are on: `OTEL_EXPORTER_OTLP_ENDPOINT` set (and `OTEL_SDK_DISABLED` not true). Read on its own by
 * the tracing preload, which runs before the rest of the configuration is loaded (src/tracing/preload.ts).
 */
export function tracingSettings(env: NodeJS.ProcessEnv | Env = process.env): TracingSettings | undefined {
    const e = envSchema
        .pick({ OTEL_EXPORTER_OTLP_ENDPOINT: true, OTEL_SDK_DISABLED: true, TRACE_VENDURE_SERVICES: true })
        .safeParse(env);
    if (!e.success || !e.data.OTEL_EXPORTER_OTLP_ENDPOINT || e.data.OTEL_SDK_DISABLED) {
        return undefined;
    }
    return {
        endpoint: e.data.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, ''),
        vendureServices: e.data.TRACE_VENDURE_SERVICES === 'true',
    };
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid configuration:\n${problems.map(p => `  - ${p}`).join('\n')}`);
        this.name = 'ConfigError';
    }
}

/** Parses and validates the environment. Throws {@link ConfigError} naming every offending variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv | Env = process.env): AppConfig {
    // Vendure reads this itself; its anonymous usage telemetry is off unless asked for (shops may have no egress).
    process.env.VENDURE_DISABLE_TELEMETRY ??= 'true';
    const parsed = envSchema.safeParse(env);
    if (!parsed.success) {
        throw new ConfigError(parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`));
    }
    const e = parsed.data;
    const profile: Profile = e.DATABASE_URL ? 'services' : 'embedded';
    const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
    const config: AppConfig = {
        appEnv: e.APP_ENV,
        profile,
        port: e.PORT,
        // Outside production only this machine by default: development settings (default superadmin password,
        // known cookie secret, the mailbox) must not be reachable from the network by accident.
        host: e.HOST ?? (e.APP_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
        workerHealthPort: e.WORKER_HEALTH_PORT,
        metrics:
            e.METRICS_PORT === undefined
                ? undefined
                : {
                      port: e.METRICS_PORT,
                      workerPort: e.WORKER_METRICS_PORT ?? (e.METRICS_PORT === 0 ? 0 : e.METRICS_PORT + 1),
                      host:
                          e.METRICS_HOST ?? e.HOST ?? (e.APP_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
                  },
        tracing: tracingSettings(env),
        publicUrl,
        storefrontUrl: (e.STOREFRONT_URL ?? `${publicUrl}/storefront`).replace(/\/$/, ''),
        database: e.DATABASE_URL
            ? { type: 'postgres', url: e.DATABASE_URL, poolSize: e.DB_POOL_SIZE }
            : { type: 'better-sqlite3', path: path.resolve(e.SQLITE_PATH) },
        redisUrl: e.REDIS_URL,
        redisCacheUrl: e.REDIS_CACHE_URL ?? e.REDIS_URL,
        redisPrefix: e.REDIS_PREFIX,
        chatUnreadNotifyAfterSeconds: e.CHAT_UNREAD_NOTIFY_AFTER_SECONDS,
        jobLockMs: e.JOB_LOCK_SECONDS * 1000,
        heapGrowingPercent: e.HEAP_GROWING_PERCENT,
        shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000,
        assetsDir: path.resolve(e.ASSETS_DIR),
        backup: { dir: path.resolve(e.BACKUP_DIR), statusFile: path.resolve(e.BACKUP_STATUS_FILE) },
        assetStorage: e.S3_BUCKET
            ? {
                  type: 's3',
                  bucket: e.S3_BUCKET,
                  endpoint: e.S3_ENDPOINT,
                  region: e.S3_REGION ?? 'us-east-1',
                  credentials:
                      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                          ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                          : undefined,
                  forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
              }
            : { type: 'local' },
        adminUiDir: path.resolve(e.ADMIN_UI_DIR ?? path.join(path.dirname(e.ASSETS_DIR), 'admin-ui')),
        superadmin: { username: e.SUPERADMIN_USERNAME, password: e.SUPERADMIN_PASSWORD },
        cookieSecret: e.COOKIE_SECRET ?? DEV_COOKIE_SECRET,
        log: {
            level: e.LOG_LEVEL,
            format: e.LOG_FORMAT ?? (e.APP_ENV === 'production' ? 'json' : 'pretty'),
        },
        vatPercent: e.VAT_PERCENT,
        seedOnStart: e.SEED_ON_START ?? e.APP_ENV !== 'production',
        simulatorPort: e.SIMULATOR_PORT,
        zibal: {
            merchant: e.ZIBAL_MERCHANT,
            apiUrl: e.ZIBAL_API_URL,
            platformToken: e.ZIBAL_PLATFORM_TOKEN,
            platformUrl: e.ZIBAL_PLATFORM_URL,
            reconcileAfterMs: e.ZIBAL_RECONCILE_AFTER_SECONDS * 1000,
            claimTtlMs: e.ZIBAL_CLAIM_TTL_SECONDS * 1000,
        },
        smsir: { apiKey: e.SMSIR_API_KEY, templateId: e.SMSIR_TEMPLATE_ID, apiUrl: e.SMSIR_API_URL },
        postex: {
            apiKey: e.POSTEX_API_KEY,
            apiUrl: e.POSTEX_API_URL,
            originCityCode: e.POSTEX_ORIGIN_CITY_CODE,
        },
        email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM ?? DEV_EMAIL_FROM },
        shopResponseCache: {
            enabled: e.SHOP_RESPONSE_CACHE !== 'off',
            maxAgeSeconds: e.SHOP_RESPONSE_CACHE_MAX_AGE,
            httpMaxAgeSeconds: e.SHOP_RESPONSE_CACHE_HTTP_MAX_AGE,
            maxBytes: e.SHOP_RESPONSE_CACHE_MAX_MB * 1024 * 1024,
            maxEntries: e.SHOP_RESPONSE_CACHE_MAX_ENTRIES,
        },
        security: {
            maxQueryCost: e.GRAPHQL_MAX_QUERY_COST,
            rateLimits: {
                LOGIN: e.RATE_LIMIT_LOGIN,
                REGISTER: e.RATE_LIMIT_REGISTER,
                PASSWORD_RESET: e.RATE_LIMIT_PASSWORD_RESET,
                NEW_ORDER: e.RATE_LIMIT_NEW_ORDER,
            },
            shopApiMaxBodyBytes: e.SHOP_API_MAX_BODY_KB * 1024,
            adminApiMaxBodyBytes: e.ADMIN_API_MAX_BODY_KB * 1024,
            uploadMaxBytes: Math.round(e.ASSET_UPLOAD_MAX_MB * 1024 * 1024),
        },
    };
    const problems = [...s3Problems(e), ...productionProblems(config, e.COOKIE_SECRET, e.STOREFRONT_URL)];
    if (problems.length) {
        throw new ConfigError(problems);
    }
    return config;
}

/** S3 settings without a bucket, or half a key pair, are mistakes: say so instead of ignoring them. */
function s3Problems(e: z.output<typeof envSchema>): string[] {
    const problems: string[] = [];
    if (!e.S3_BUCKET) {
        const stray = (
            [
                'S3_ENDPOINT',
                'S3_REGION',
                'S3_ACCESS_KEY_ID',
                'S3_SECRET_ACCESS_KEY',
                'S3_FORCE_PATH_STYLE',
            ] as const
        ).filter(name => e[name] !== undefined);
        if (stray.length) {
            problems.push(
                `S3_BUCKET: must be set when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set`,
            );
        }
        return problems;
    }
    if (e.S3_ACCESS_KEY_ID && !e.S3_SECRET_ACCESS_KEY) {
        problems.push('S3_SECRET_ACCESS_KEY: must be set together with S3_ACCESS_KEY_ID');
    }
    if (e.S3_SECRET_ACCESS_KEY && !e.S3_ACCESS_KEY_ID) {
        problems.push('S3_ACCESS_KEY_ID: must be set together with S3_SECRET_ACCESS_KEY');
    }
    if (e.S3_REGION !== undefined && !/^[a-z0-9-]{2,32}$/.test(e.S3_REGION)) {
        problems.push('S3_REGION: must be a region name such as us-east-1 or ir-thr-at1');
    }
    return problems;
}

/** Production mode refuses to start on settings that are only fit for a developer's machine. */
function productionProblems(
    config: AppConfig,
    rawCookieSecret: string | undefined,
    rawStorefrontUrl: string | undefined,
): string[] {
    if (config.appEnv !== 'production') {
        return [];
    }
    const problems: string[] = [];
    if (config.profile !== 'services') {
        problems.push(
            'DATABASE_URL: production mode needs PostgreSQL (the embedded SQLite profile is for development)',
        );
    }
    if (!config.redisUrl) {
        problems.push('REDIS_URL: production mode needs Redis for the job queue and the cache');
    }
    if (
        config.superadmin.password === DEFAULT_SUPERADMIN_PASSWORD ||
        config.superadmin.password.length < 12
    ) {
        problems.push('SUPERADMIN_PASSWORD: must be set to a non-default password of at least 12 characters');
    }
    if (!rawCookieSecret || rawCookieSecret.length < 32) {
        problems.push('COOKIE_SECRET: must be set to a random string of at least 32 characters');
    }
    if (!config.publicUrl.startsWith('https://')) {
        problems.push('PUBLIC_URL: must be the https:// address of this server (payment callbacks use it)');
    }
    const providers: Array<[string, string | undefined, string, string | undefined]> = [
        ['ZIBAL_API_URL', config.zibal.apiUrl, 'ZIBAL_MERCHANT', config.zibal.merchant],
        ['SMSIR_API_URL', config.smsir.apiUrl, 'SMSIR_API_KEY', config.smsir.apiKey],
        ['POSTEX_API_URL', config.postex.apiUrl, 'POSTEX_API_KEY', config.postex.apiKey],
    ];
    for (const [urlVar, url, credVar, cred] of providers) {
        if (!url) {
            problems.push(`${urlVar}: must be set (the built-in simulator is not allowed in production)`);
        } else if (!url.startsWith('https://')) {
            problems.push(`${urlVar}: must be an https:// URL in production`);
        }
        if (!cred) {
            problems.push(`${credVar}: must be set in production`);
        }
    }
    if (config.zibal.merchant?.toLowerCase() === ZIBAL_SANDBOX_MERCHANT) {
        problems.push(
            `ZIBAL_MERCHANT: must be the shop's own merchant id in production ('${ZIBAL_SANDBOX_MERCHANT}' is Zibal's sandbox, whose test payments verify without real money)`,
        );
    }
    if (!config.smsir.templateId) {
        problems.push('SMSIR_TEMPLATE_ID: must be set in production');
    }
    if (!rawStorefrontUrl) {
        problems.push(
            'STOREFRONT_URL: must be set in production (links in emails and the return after payment go there)',
        );
    } else if (!config.storefrontUrl.startsWith('https://')) {
        problems.push('STOREFRONT_URL: must be an https:// URL in production');
    }
    if (config.zibal.platformUrl && !config.zibal.platformUrl.startsWith('https://')) {
        problems.push(
            'ZIBAL_PLATFORM_URL: must be an https:// URL in production (it receives the platform token)',
        );
    }
    if (!config.email.smtpUrl) {
        problems.push(
            "SMTP_URL: must be set in production (without it emails go to the development mailbox, which would show every customer's password-reset link)",
        );
    }
    if (config.email.from === DEV_EMAIL_FROM) {
        problems.push("EMAIL_FROM: must be set in production (the sender of the shop's emails)");
    }
    return problems;
}
