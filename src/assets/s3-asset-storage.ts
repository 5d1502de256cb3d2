import crypto from 'node:crypto';

import {
    DeleteObjectCommand,
    HeadBucketCommand,
    PutObjectCommand,
    S3Client,
    S3ClientConfig,
} from '@aws-sdk/client-s3';
import { AssetServerOptions, configureS3AssetStorage } from '@vendure/asset-server-plugin';
import { AssetStorageStrategy, Logger } from '@vendure/core';

import { ConfigError, S3AssetStorageConfig } from '../config/app-config';

const loggerCtx = 'AssetStorage';

/** Where each variable stands in error messages. */
const VARS = {
    bucket: 'S3_BUCKET',
    endpoint: 'S3_ENDPOINT',
    region: 'S3_REGION',
    credentials: 'S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY',
} as const;

/**
 * The AssetServerPlugin's `storageStrategyFactory` for an S3 bucket. Vendure's own S3 strategy only logs when the
 * bucket is unreachable and then fails at the first upload; this one first checks that the bucket exists and that
 * the credentials may write and delete in it, and stops the start with a {@link ConfigError} naming the variable.
 */
export function s3AssetStorageFactory(
    config: S3AssetStorageConfig,
): (options: AssetServerOptions) => Promise<AssetStorageStrategy> {
    const nativeS3Configuration = s3ClientConfig(config);
    return async options => {
        await checkS3Bucket(config);
        Logger.info(
            `Assets are stored in S3 bucket "${config.bucket}" at ${config.endpoint ?? `AWS ${config.region}`}`,
            loggerCtx,
        );
        return configureS3AssetStorage({
            bucket: config.bucket,
            // Typed as required, but Vendure passes `undefined` on to the SDK, which then uses its default chain.
            credentials: config.credentials as NonNullable<S3AssetStorageConfig['credentials']>,
            nativeS3Configuration,
        })(options);
    };
}

function s3ClientConfig(config: S3AssetStorageConfig): S3ClientConfig {
    return {
        endpoint: config.endpoint,
        region: config.region,
        forcePathStyle: config.forcePathStyle,
        // An unreachable endpoint fails in seconds rather than hanging a start or an upload; the socket may stay
        // idle this long while a large upload or a slow read is under way.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
        maxAttempts: 2,
    };
}

/**
 * Proves the settings work before the server accepts requests: the bucket exists and is reachable, and the
 * credentials may write and delete objects (a probe object under `.startup-check/`, removed at once).
 */
export async function checkS3Bucket(config: S3AssetStorageConfig): Promise<void> {
    const client = new S3Client({ ...s3ClientConfig(config), credentials: config.credentials });
    const where = `bucket "${config.bucket}" at ${config.endpoint ?? `AWS S3 (${config.region})`}`;
    try {
        try {
            await client.send(new HeadBucketCommand({ Bucket: config.bucket }));
        } catch (e) {
            throw new ConfigError([explain(e, where, 'reading')]);
        }
        const probe = `.startup-check/${crypto.randomUUID()}`;
        try {
            await client.send(new PutObjectCommand({ Bucket: config.bucket, Key: probe, Body: 'ok' }));
            await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: probe }));
        } catch (e) {
            throw new ConfigError([explain(e, where, 'writing and deleting objects in')]);
        }
    } finally {
        client.destroy();
    }
}

interface AwsLikeError {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
}

/** Maps an SDK failure to the variable to fix. */
function explain(e: unknown, where: string, doing: string): string {
    const err = (e ?? {}) as AwsLikeError;
    const status = err.$metadata?.httpStatusCode;
    const detail = `${err.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}`;
    const network = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'];
    if (
        network.includes(err.code ?? '') ||
        err.name === 'TimeoutError' ||
        /ECONNREFUSED|ENOTFOUND/.test(err.message ?? '')
    ) {
        return `${VARS.endpoint}: cannot reach the S3 service for ${where} (${err.code ?? detail})`;
    }
    if (err.name === 'CredentialsProviderError') {
        return `${VARS.credentials}: not set, and the AWS default credential chain found none for ${where}`;
    }
    if (status === 404 || err.name === 'NotFound' || err.name === 'NoSuchBucket') {
        return `${VARS.bucket}: ${where} does not exist; create it (the server does not create buckets)`;
    }
    if (status === 301 || err.name === 'PermanentRedirect' || err.name === 'AuthorizationHeaderMalformed') {
        return `${VARS.region}: ${where} is in another region (${detail})`;
    }
    if (
        status === 401 ||
        status === 403 ||
        ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(err.name ?? '')
    ) {
        return `${VARS.credentials}: refused ${doing} ${where} (${detail})`;
    }
    return `${VARS.bucket}: ${doing} ${where} failed (${detail}: ${err.message ?? ''})`;
}
