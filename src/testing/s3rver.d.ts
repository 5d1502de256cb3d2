// The few parts of s3rver 3.7 (npm, test-only S3-compatible server) the tests use.
declare module 's3rver' {
    interface S3rverOptions {
        address?: string;
        port?: number;
        silent?: boolean;
        directory: string;
        configureBuckets?: Array<{ name: string; configs: Array<string | Buffer> }>;
    }
    export default class S3rver {
        constructor(options: S3rverOptions);
        run(): Promise<{ address: string; port: number }>;
        close(): Promise<void>;
    }
}
