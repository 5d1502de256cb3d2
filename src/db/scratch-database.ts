import Redis from 'ioredis';
import { Client } from 'pg';

/** A PostgreSQL database made for one run (tests, benchmarks, migration checks) and dropped after it. */
export interface ScratchDatabase {
    /** Connection URL of the new database (the server URL with the database name swapped in). */
    url: string;
    drop(): Promise<void>;
}

/**
 * Creates the database `name` on the server of `serverUrl` (any database URL of it; the connection goes to
 * that database to run `CREATE DATABASE`). `name` must be a plain identifier such as `bench_chat_1234`; a
 * database of that name left by a crashed run (names carry the process id) is dropped first.
 */
export async function createScratchDatabase(serverUrl: string, name: string): Promise<ScratchDatabase> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
        throw new Error(`Not a plain database name: ${name}`);
    }
    const run = async (sql: string) => {
        const client = new Client({ connectionString: serverUrl });
        await client.connect();
        try {
            await client.query(sql);
        } finally {
            await client.end();
        }
    };
    const drop = () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop();
    await run(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
        url: url.toString(),
        // WITH (FORCE) ends connections a crashed server process may have left behind.
        drop,
    };
}

/** Deletes every Redis key starting with `prefix` (SCAN, so a shared Redis is not blocked). */
export async function deleteRedisKeys(redisUrl: string | undefined, prefix: string): Promise<void> {
    if (!redisUrl) {
        return;
    }
    const redis = new Redis(redisUrl);
    try {
        let cursor = '0';
        do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length) {
                await redis.del(...keys);
            }
        } while (cursor !== '0');
    } finally {
        redis.disconnect();
    }
}
