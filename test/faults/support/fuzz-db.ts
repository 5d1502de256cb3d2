import { Client } from 'pg';

/**
 * A fingerprint of every table of a PostgreSQL database: row count and a hash of the rows' text, per table.
 * `ignore`: tables whose rows change by design on any request (sessions, the scheduler's bookkeeping).
 */
export async function tableFingerprints(
    url: string,
    ignore: (table: string) => boolean,
): Promise<Record<string, string>> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        const { rows } = await client.query<{ table_name: string }>(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
        );
        const out: Record<string, string> = {};
        for (const { table_name: table } of rows) {
            if (ignore(table)) {
                continue;
            }
            const { rows: r } = await client.query<{ n: string; h: string | null }>(
                `SELECT count(*) AS n, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS h FROM "${table}" t`,
            );
            out[table] = `${r[0].n}:${r[0].h ?? ''}`;
        }
        return out;
    } finally {
        await client.end();
    }
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(t => before[t] !== after[t]);
}
