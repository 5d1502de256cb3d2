import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import S3rver from 's3rver';

/** s3rver's fixed key pair: it checks signatures against these. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
    endpoint: string;
    /** Where s3rver keeps objects: `<dir>/<bucket>/<key>._S3rver_object`. */
    dir: string;
    /** The environment that points the shop at `bucket` on this server. */
    env(bucket: string): Record<string, string>;
    close(): Promise<void>;
}

/** An S3-compatible server in this process on 127.0.0.1 (npm `s3rver`), with the given buckets. */
export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-s3-'));
    const server = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory: dir,
        configureBuckets: buckets.map(name => ({ name, configs: [] })),
    });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    return {
        endpoint,
        dir,
        env: bucket => ({
            S3_BUCKET: bucket,
            S3_ENDPOINT: endpoint,
            S3_REGION: 'us-east-1',
            S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
            S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        }),
        async close() {
            await server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
