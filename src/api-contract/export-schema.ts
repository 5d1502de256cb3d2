import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { getIntrospectionQuery, IntrospectionQuery } from 'graphql';

import { startServer } from '../bootstrap';
import { loadAppConfig } from '../config/app-config';
import { PROJECT_ROOT } from '../paths';
import { resolveProviderUrls } from '../simulators/provider-urls';

import { ApiName, printSortedSdl } from './api-contract';

/** Where the committed contract lives. */
export const API_DOCS_DIR = path.join(PROJECT_ROOT, 'docs', 'api');
export const SDL_FILES: Record<ApiName, string> = {
    shop: path.join(API_DOCS_DIR, 'shop-api.graphql'),
    admin: path.join(API_DOCS_DIR, 'admin-api.graphql'),
};
export const CHANGELOG_FILE = path.join(API_DOCS_DIR, 'CHANGELOG.md');

/** Fetches one API's schema from a running server by introspection and prints it as sorted SDL. */
export async function fetchSortedSdl(baseUrl: string, api: ApiName): Promise<string> {
    const res = await fetch(`${baseUrl}/${api}-api`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
        }),
    });
    const body = (await res.json()) as { data?: IntrospectionQuery; errors?: Array<{ message: string }> };
    if (!res.ok || !body.data) {
        throw new Error(
            `Introspection of the ${api} API failed (HTTP ${res.status}): ${body.errors?.map(e => e.message).join('; ')}`,
        );
    }
    return printSortedSdl(body.data);
}

/**
 * Starts the production server configuration in this process on a scratch SQLite database (migrated, not
 * seeded; no Redis, providers pointed at an unused port, as nothing is called) and returns both APIs' SDL.
 * The environment is fixed rather than read from process.env, so the output does not depend on the machine.
 */
export async function exportSchemas(): Promise<Record<ApiName, string>> {
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-export-'));
    const app = loadAppConfig({
        APP_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        LOG_FORMAT: 'json',
        SQLITE_PATH: path.join(tmpDir, 'shop.sqlite'),
        ASSETS_DIR: path.join(tmpDir, 'assets'),
    });
    try {
        const server = await startServer(app, {
            providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
            seed: false,
            runJobsInProcess: false,
        });
        try {
            const baseUrl = `http://127.0.0.1:${server.port}`;
            return {
                shop: await fetchSortedSdl(baseUrl, 'shop'),
                admin: await fetchSortedSdl(baseUrl, 'admin'),
            };
        } finally {
            await server.close();
        }
    } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
    }
}
