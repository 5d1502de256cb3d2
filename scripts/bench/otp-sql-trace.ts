import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Logger as TypeOrmLogger } from 'typeorm';

import { SmsOtpPlugin } from '../../plugins/sms-otp';
import { startServer } from '../../src/bootstrap';
import { ProviderSimulators } from '../../src/simulators/simulator-server';
import { resolveProviderUrls } from '../../src/simulators/provider-urls';

import { benchAppConfig } from './bench-utils';

/**
 * `node dist/scripts/bench/otp-sql-trace.js`: the SQL statements one `requestLoginOtp` and one
 * `authenticate(smsOtp)` run, for a sign-up and for a returning customer, on a scratch SQLite database.
 * Prints each request's statements and their count; `OTP_TRACE_SQL=0` prints counts only, `OTP_TRACE_WIDTH`
 * sets how much of each statement is shown (160 characters).
 */
const statements: string[] = [];
const recorder: TypeOrmLogger = {
    logQuery: (query: string) => {
        // The in-process job queue polls and runs start-up jobs meanwhile; those statements are not the request's.
        if (!/"(job_record|postex_city|search_index_item)"/.test(query)) {
            statements.push(query.replace(/\s+/g, ' ').slice(0, Number(process.env.OTP_TRACE_WIDTH ?? 160)));
        }
    },
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
};

async function main(): Promise<void> {
    const sims = new ProviderSimulators();
    const simUrl = await sims.listen(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otp-trace-'));
    const app = benchAppConfig(dir, `otp_trace_${process.pid}`, {
        ...process.env,
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
        SMSIR_API_URL: `${simUrl}/smsir`,
    });
    const server = await startServer(app, {
        providers: resolveProviderUrls(app, simUrl),
        seed: false,
        adjustConfig: config => {
            SmsOtpPlugin.init({ ...SmsOtpPlugin.options, resendCooldownSeconds: 0 });
            config.dbConnectionOptions = {
                ...config.dbConnectionOptions,
                logging: ['query'],
                logger: recorder,
            };
            return config;
        },
    });
    const shopApi = `http://127.0.0.1:${server.port}/shop-api`;
    const call = async (label: string, query: string, variables: Record<string, unknown>) => {
        statements.length = 0;
        const res = await fetch(shopApi, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { data?: Record<string, { __typename?: string }> };
        console.log(
            `\n## ${label}: ${Object.values(body.data ?? {})[0]?.__typename} — ${statements.length} statements`,
        );
        if (process.env.OTP_TRACE_SQL !== '0') {
            statements.forEach((s, i) => console.log(`${String(i + 1).padStart(2)}. ${s}`));
        }
    };
    const request = 'mutation($p:String!){requestLoginOtp(phoneNumber:$p){__typename}}';
    const login =
        'mutation($p:String!,$c:String!){authenticate(input:{smsOtp:{phoneNumber:$p,code:$c}}){__typename}}';
    try {
        // Let the start-up jobs (run in-process in the embedded profile) finish first.
        await new Promise(resolve => setTimeout(resolve, 3_000));
        for (const [round, phone] of [
            ['sign-up', '09351111111'],
            ['login', '09351111111'],
            ['login again', '09351111111'],
        ]) {
            await call(`requestLoginOtp (${round})`, request, { p: phone });
            await call(`authenticate smsOtp (${round})`, login, {
                p: phone,
                c: sims.smsir.lastCodeTo(phone),
            });
        }
    } finally {
        await server.close();
        await sims.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
