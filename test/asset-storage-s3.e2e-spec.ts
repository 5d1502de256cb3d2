import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DefaultSchedulerPlugin } from '@vendure/core';

import { ConfigError, loadAppConfig } from '../src/config/app-config';
import { startServer } from '../src/bootstrap';
import { PNG_8X8, UploadedAsset, uploadAssets } from '../src/testing/assets';
import { LocalS3, startLocalS3 } from '../src/testing/s3-server';
import { createTestShop, TestShop, testProfile } from '../src/testing/test-shop';
import { resolveProviderUrls } from '../src/simulators/provider-urls';

const BUCKET = 'shop-assets';

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
    return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]) : [];
}

async function fetchAsset(baseUrl: string, source: string): Promise<{ status: number; bytes: Buffer }> {
    const res = await fetch(`${baseUrl}/assets/${source}`);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('assets in S3-compatible object storage (S3_BUCKET)', () => {
    let s3: LocalS3;
    let shop: TestShop;
    let asset: UploadedAsset;

    beforeAll(async () => {
        s3 = await startLocalS3([BUCKET, 'other-bucket']);
        shop = await createTestShop({ seed: false, env: s3.env(BUCKET) });
    });

    afterAll(async () => {
        await shop?.close();
        await s3?.close();
    });

    it('stores an upload from the Admin API (createAssets) in the bucket, not on the local disk, and serves it at /assets', async () => {
        const { status, body } = await uploadAssets(`${shop.baseUrl}/admin-api`, shop.admin.getAuthToken(), [
            { name: 'red.png', bytes: PNG_8X8 },
        ]);
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        asset = body.data!.createAssets[0] as UploadedAsset;
        expect(asset).toMatchObject({ id: expect.any(String), source: expect.stringContaining('red') });

        const source = asset.source.replace(/^.*\/assets\//, '');
        const stored = filesUnder(path.join(s3.dir, BUCKET));
        expect(stored.some(f => f.startsWith(source))).toBe(true);
        expect(filesUnder(shop.app.assetsDir).filter(f => f.endsWith('.png'))).toEqual([]);

        const served = await fetchAsset(shop.baseUrl, source);
        expect(served.status).toBe(200);
        expect(served.bytes.equals(PNG_8X8)).toBe(true);
        // A preview (made by sharp, stored in the bucket too) and a resized preset are served as well.
        const preview = asset.preview.replace(/^.*\/assets\//, '');
        expect((await fetchAsset(shop.baseUrl, `${preview}?preset=thumb`)).status).toBe(200);
    });

    it.skipIf(testProfile() === 'sqlite')(
        'a second server (own empty ASSETS_DIR) serves the same file, and an upload on it is served by the first',
        async () => {
            const replica = await shop.startReplica(s3.env(BUCKET));
            const source = asset.source.replace(/^.*\/assets\//, '');
            const served = await fetchAsset(replica.baseUrl, source);
            expect(served.status).toBe(200);
            expect(served.bytes.equals(PNG_8X8)).toBe(true);

            // Sessions are shared (database and cache), so the first server's admin token works here too.
            const upload = await uploadAssets(`${replica.baseUrl}/admin-api`, shop.admin.getAuthToken(), [
                { name: 'from-replica.png', bytes: PNG_8X8 },
            ]);
            const second = upload.body.data!.createAssets[0] as UploadedAsset;
            const secondSource = second.source.replace(/^.*\/assets\//, '');
            expect((await fetchAsset(shop.baseUrl, secondSource)).bytes.equals(PNG_8X8)).toBe(true);
            await replica.server.close();
        },
    );

    it.skipIf(testProfile() === 'sqlite')(
        'the file survives a restart: a server started anew with an empty ASSETS_DIR still serves it',
        async () => {
            const first = await shop.startReplica(s3.env(BUCKET));
            await first.server.close();
            const restarted = await shop.startReplica(s3.env(BUCKET));
            const served = await fetchAsset(restarted.baseUrl, asset.source.replace(/^.*\/assets\//, ''));
            expect(served.status).toBe(200);
            expect(served.bytes.equals(PNG_8X8)).toBe(true);
            await restarted.server.close();
        },
    );

    describe('a bad S3 setting stops the start, naming the variable', () => {
        async function startError(env: Record<string, string>): Promise<string[]> {
            const app = loadAppConfig({
                ...(shop.app.database.type === 'postgres' ? { DATABASE_URL: shop.app.database.url } : {}),
                APP_ENV: 'test',
                PORT: '0',
                HOST: '127.0.0.1',
                LOG_LEVEL: 'error',
                SQLITE_PATH: path.join(path.dirname(shop.app.assetsDir), 'bad-start.sqlite'),
                ASSETS_DIR: path.join(path.dirname(shop.app.assetsDir), 'bad-start-assets'),
                REDIS_URL: shop.app.redisUrl ?? '',
                REDIS_PREFIX: `${shop.app.redisPrefix}_bad`,
                ...env,
            });
            const started = Date.now();
            try {
                const server = await startServer(app, {
                    providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
                    seed: false,
                    // Only if the check wrongly passed: the first server runs the (process-wide) cron jobs.
                    adjustConfig: config => ({
                        ...config,
                        plugins: (config.plugins ?? []).filter(p => p !== DefaultSchedulerPlugin),
                    }),
                });
                await server.close();
                return [];
            } catch (e) {
                expect(e).toBeInstanceOf(ConfigError);
                expect(Date.now() - started).toBeLessThan(30_000);
                return (e as ConfigError).problems;
            }
        }

        it('a bucket that does not exist: S3_BUCKET', async () => {
            expect(await startError({ ...s3.env('no-such-bucket') })).toEqual([
                expect.stringMatching(
                    /^S3_BUCKET: bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist/,
                ),
            ]);
        });

        // s3rver checks the key id but not the signature, so a wrong key id stands in for any refused key.
        it('an unknown access key: S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY', async () => {
            expect(await startError({ ...s3.env(BUCKET), S3_ACCESS_KEY_ID: 'NOT-A-KEY' })).toEqual([
                expect.stringMatching(/^S3_ACCESS_KEY_ID \/ S3_SECRET_ACCESS_KEY: refused/),
            ]);
        });

        it('an endpoint nothing listens on: S3_ENDPOINT', async () => {
            expect(await startError({ ...s3.env(BUCKET), S3_ENDPOINT: 'http://127.0.0.1:9' })).toEqual([
                expect.stringMatching(/^S3_ENDPOINT: cannot reach the S3 service/),
            ]);
        });
    });
});
