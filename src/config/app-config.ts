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
const booleanFlag = z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform(v => v === 'true' || v === '1');

export const envSchema = z.object({
    APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().optional(),
    WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3020),
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
    REDIS_PREFIX: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/)
        .default('shop'),
    SQLITE_PATH: z.string().default(path.join('data', 'shop.sqlite')),
    ASSETS_DIR: z.string().default(path.join('data', 'assets')),
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
    /** On SIGTERM, how long the server waits for accepted requests to be answered before it closes anyway. */
    shutdownDrainMs: number;
    /** V8 old-generation growth after a major GC, in percent (0 = V8's own heuristics). See runtime.ts. */
    heapGrowingPercent: number;
    assetsDir: string;
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
    zibal: { merchant?: string; apiUrl?: string; platformToken?: string; platformUrl?: string };
    smsir: { apiKey?: string; templateId?: string; apiUrl?: string };
    postex: { apiKey?: string; apiUrl?: string; originCityCode: number };
    /**
     * Outgoing mail: through `smtpUrl` when set; without it (development only) every email is written to disk
     * and readable at `/mailbox`, which shows every customer's verification and password-reset links.
     */
    email: { smtpUrl?: string; from: string };
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
        publicUrl,
        storefrontUrl: (e.STOREFRONT_URL ?? `${publicUrl}/storefront`).replace(/\/$/, ''),
        database: e.DATABASE_URL
            ? { type: 'postgres', url: e.DATABASE_URL, poolSize: e.DB_POOL_SIZE }
            : { type: 'better-sqlite3', path: path.resolve(e.SQLITE_PATH) },
        redisUrl: e.REDIS_URL,
        redisCacheUrl: e.REDIS_CACHE_URL ?? e.REDIS_URL,
        redisPrefix: e.REDIS_PREFIX,
        heapGrowingPercent: e.HEAP_GROWING_PERCENT,
        shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000,
        assetsDir: path.resolve(e.ASSETS_DIR),
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
        },
        smsir: { apiKey: e.SMSIR_API_KEY, templateId: e.SMSIR_TEMPLATE_ID, apiUrl: e.SMSIR_API_URL },
        postex: {
            apiKey: e.POSTEX_API_KEY,
            apiUrl: e.POSTEX_API_URL,
            originCityCode: e.POSTEX_ORIGIN_CITY_CODE,
        },
        email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM ?? DEV_EMAIL_FROM },
    };
    const problems = productionProblems(config, e.COOKIE_SECRET, e.STOREFRONT_URL);
    if (problems.length) {
        throw new ConfigError(problems);
    }
    return config;
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
