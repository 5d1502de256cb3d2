import { fork } from 'node:child_process';
import http from 'node:http';

import autocannon from 'autocannon';
import gql from 'graphql-tag';

import { ShopResponseCacheService } from '../../plugins/shop-response-cache';
import { createTestShop, waitFor } from '../../src/testing/test-shop';

import { fmt, nextMessage, percentiles } from './bench-utils';

/**
 * `npm run bench:catalog`: the Shop API's catalog reads with the anonymous response cache off and on, against one
 * server process. The server (the e2e harness: real server, demo seed) runs in a child process; the load generator
 * (autocannon, BENCH_CONNECTIONS connections, default 50) runs in this one. Between phases this process asks the
 * server, over IPC, to switch its cache off or on (ShopResponseCacheService.setEnabled, the same switch as
 * SHOP_RESPONSE_CACHE=off at start): same process, same data, same warm database caches. Each query runs off, then
 * on; the answers of both phases are compared byte for byte.
 *
 * The same bytes are also served by a plain Node HTTP server in the server's process (no framework, no lookup):
 * the ceiling of any cache on this machine, so the ratio can be read against what the hardware allows.
 *
 * Then the bounds: floods of cache-busting requests (unique variables), measuring entries, bytes, evictions and the
 * server's RSS. The server runs with SHOP_RESPONSE_CACHE_MAX_ENTRIES=BENCH_MAX_ENTRIES (5000) and
 * SHOP_RESPONSE_CACHE_MAX_MB=BENCH_MAX_MB (8), small enough for a flood of a minute to reach each limit.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MAX_ENTRIES = Number(process.env.BENCH_MAX_ENTRIES ?? 5000);
const MAX_MB = Number(process.env.BENCH_MAX_MB ?? 8);
const FLOOD_SMALL = Number(process.env.BENCH_FLOOD_SMALL ?? 8000);
const FLOOD_LARGE = Number(process.env.BENCH_FLOOD_LARGE ?? 1500);

const QUERIES: Array<{ name: string; query: string; variables: Record<string, unknown> }> = [
    {
        name: 'products(take: 12) with variants, prices, stock, assets',
        query: `query Products($take: Int!) {
            products(options: { take: $take }) {
                totalItems
                items {
                    id name slug
                    featuredAsset { id preview }
                    variants { id sku name price priceWithTax currencyCode stockLevel featuredAsset { id preview } }
                }
            }
        }`,
        variables: { take: 12 },
    },
    {
        name: 'product detail (by slug)',
        query: `query Product($slug: String!) {
            product(slug: $slug) {
                id name slug description
                featuredAsset { id preview }
                assets { id preview }
                facetValues { id code name facet { id code name } }
                collections { id slug name }
                optionGroups { id code name options { id code name } }
                variants { id sku name price priceWithTax currencyCode stockLevel options { id code name } }
            }
        }`,
        variables: { slug: '' },
    },
    {
        name: 'search with facets',
        query: `query Search($input: SearchInput!) {
            search(input: $input) {
                totalItems
                facetValues { count facetValue { id name facet { id name } } }
                items { productId productName slug priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } } productAsset { id preview } }
            }
        }`,
        variables: { input: { take: 12, groupByProduct: true } },
    },
];

interface Child {
    kind: string;
    [key: string]: unknown;
}

async function child(): Promise<void> {
    const t = await createTestShop({
        env: {
            LOG_LEVEL: 'warn',
            SHOP_RESPONSE_CACHE_MAX_ENTRIES: String(MAX_ENTRIES),
            SHOP_RESPONSE_CACHE_MAX_MB: String(MAX_MB),
        },
    });
    // The search index is built by jobs after the seed: measure once they are done, so both phases see one catalog.
    await waitFor(
        async () => {
            const { jobs } = await t.admin.query(gql`
                query {
                    jobs(options: { filter: { isSettled: { eq: false } } }) {
                        totalItems
                    }
                }
            `);
            return jobs.totalItems === 0;
        },
        300_000,
        'the seed jobs to finish',
    );
    const cache = t.server.app.get(ShopResponseCacheService);
    // The ceiling: plain Node in this process answering the same bytes, with no framework and no lookup.
    let ceilingBody = Buffer.alloc(0);
    const ceiling = http.createServer((req, res) => {
        req.resume();
        req.once('end', () => {
            res.setHeader('Content-Type', 'application/json; charset=utf-8');
            res.setHeader('Content-Length', ceilingBody.length);
            res.end(ceilingBody);
        });
    });
    await new Promise<void>(resolve => ceiling.listen(0, '127.0.0.1', resolve));
    const ceilingUrl = `http://127.0.0.1:${(ceiling.address() as { port: number }).port}/shop-api`;
    const reply = () =>
        process.send!({ kind: 'state', stats: cache.snapshot(), rss: process.memoryUsage().rss });
    process.on('message', (m: Child) => {
        if (m.kind === 'cache') {
            cache.setEnabled(m.enabled as boolean);
            reply();
        } else if (m.kind === 'ceiling') {
            ceilingBody = Buffer.from(m.body as string);
            reply();
        } else if (m.kind === 'state') {
            global.gc?.();
            reply();
        }
    });
    process.send!({ kind: 'ready', baseUrl: t.baseUrl, ceilingUrl });
    process.once('disconnect', () => {
        ceiling.close();
        void t.close().then(() => process.exit(0));
    });
}

interface Phase {
    perSecond: number;
    p50: number;
    p95: number;
    p99: number;
    requests: number;
    non2xx: number;
    errors: number;
}

/** autocannon for SECONDS with CONNECTIONS; latencies from each response (autocannon's own summary has no p95). */
async function load(url: string, body: string, seconds: number): Promise<Phase> {
    const latencies: number[] = [];
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
            {
                url,
                method: 'POST',
                connections: CONNECTIONS,
                duration: seconds,
                headers: { 'content-type': 'application/json' },
                body,
            },
            (err, res) => (err ? reject(err) : resolve(res)),
        );
        instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
    });
    const p = percentiles(latencies);
    return {
        perSecond: result.requests.total / (result.duration || seconds),
        p50: p.p50,
        p95: p.p95,
        p99: p.p99,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
    };
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<string> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
    });
    return res.text();
}

async function main(): Promise<void> {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server process (written when it exits).
    const prof = process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : [];
    const proc = fork(__filename, ['child'], { stdio: 'inherit', execArgv: ['--expose-gc', ...prof] });
    const { baseUrl, ceilingUrl } = await nextMessage<{ baseUrl: string; ceilingUrl: string }>(proc, 'ready');
    const url = `${baseUrl}/shop-api`;
    type State = { stats: ReturnType<ShopResponseCacheService['snapshot']>; rss: number };
    const ask = async (message: Child): Promise<State> => {
        const answer = nextMessage<State>(proc, 'state');
        proc.send(message);
        return answer;
    };
    try {
        const slug = JSON.parse(await post(url, '{ products(options: { take: 1 }) { items { slug } } }', {}))
            .data.products.items[0].slug as string;
        QUERIES[1].variables = { slug };
        const rows: Array<{ name: string; off: Phase; on: Phase; ceiling: Phase; bytes: number }> = [];
        for (const q of QUERIES) {
            const body = JSON.stringify({ query: q.query, variables: q.variables });
            await ask({ kind: 'cache', enabled: false });
            const offAnswer = await post(url, q.query, q.variables);
            if (!JSON.parse(offAnswer).data || JSON.parse(offAnswer).errors) {
                throw new Error(`${q.name}: ${offAnswer.slice(0, 300)}`);
            }
            await load(url, body, 2); // warm-up
            const off = await load(url, body, SECONDS);
            await ask({ kind: 'cache', enabled: true });
            await post(url, q.query, q.variables); // the miss that fills the cache
            const onAnswer = await post(url, q.query, q.variables);
            if (onAnswer !== offAnswer) {
                throw new Error(`${q.name}: the cached answer differs from GraphQL's`);
            }
            await load(url, body, 2);
            const on = await load(url, body, SECONDS);
            await ask({ kind: 'ceiling', body: onAnswer });
            await load(ceilingUrl, body, 2);
            const ceiling = await load(ceilingUrl, body, SECONDS);
            rows.push({ name: q.name, off, on, ceiling, bytes: Buffer.byteLength(onAnswer) });
            console.log(
                `${q.name}: off ${fmt(off.perSecond)} req/s p99 ${fmt(off.p99)} ms; on ${fmt(on.perSecond)} req/s p99 ${fmt(on.p99)} ms; ratio ${fmt(on.perSecond / off.perSecond)}; plain Node ${fmt(ceiling.perSecond)} req/s`,
            );
        }
        console.log(
            `\nShop API catalog reads, cache off vs on, one server process, ${CONNECTIONS} connections, ${SECONDS} s each`,
        );
        console.log('| query | answer bytes | cache | req/s | p50 ms | p95 ms | p99 ms | non-2xx / errors |');
        console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
        for (const r of rows) {
            for (const [mode, p] of [
                ['off', r.off],
                ['on', r.on],
                ['plain Node, same bytes (ceiling)', r.ceiling],
            ] as const) {
                console.log(
                    `| ${r.name} | ${r.bytes} | ${mode} | ${fmt(p.perSecond)} | ${fmt(p.p50)} | ${fmt(p.p95)} | ${fmt(p.p99)} | ${p.non2xx} / ${p.errors} |`,
                );
            }
        }
        console.log(
            '\n| query | ratio on/off (req/s) | ceiling/off: the most any cache could give here | on/ceiling |',
        );
        console.log('| --- | --- | --- | --- |');
        for (const r of rows) {
            console.log(
                `| ${r.name} | ${fmt(r.on.perSecond / r.off.perSecond)}× | ${fmt(r.ceiling.perSecond / r.off.perSecond)}× | ${fmt((100 * r.on.perSecond) / r.ceiling.perSecond)} % |`,
            );
        }

        // ---- bounds: cache-busting floods ----
        const before = await ask({ kind: 'state' });
        const flood = async (count: number, make: (i: number) => string) => {
            let next = 0;
            const t0 = performance.now();
            await Promise.all(
                Array.from({ length: 20 }, async () => {
                    while (next < count) {
                        const i = next++;
                        await fetch(url, {
                            method: 'POST',
                            headers: { 'content-type': 'application/json' },
                            body: make(i),
                        }).then(r => r.arrayBuffer());
                    }
                }),
            );
            return (performance.now() - t0) / 1000;
        };
        const smallSeconds = await flood(FLOOD_SMALL, i =>
            JSON.stringify({
                query: 'query ($s: String!) { product(slug: $s) { id } }',
                variables: { s: `bust-${i}` },
            }),
        );
        const small = await ask({ kind: 'state' });
        const largeSeconds = await flood(FLOOD_LARGE, i =>
            JSON.stringify({
                query: 'query ($x: String!) { products(options: { take: 50, filter: { name: { notEq: $x } } }) { items { id name slug description } } }',
                variables: { x: `bust-${i}` },
            }),
        );
        const large = await ask({ kind: 'state' });
        const mb = (n: number) => fmt(n / 1024 / 1024);
        console.log(
            `\nBounds (SHOP_RESPONSE_CACHE_MAX_ENTRIES=${MAX_ENTRIES}, SHOP_RESPONSE_CACHE_MAX_MB=${MAX_MB}); RSS after a forced GC`,
        );
        console.log('| flood | requests | s | entries | cache MB | evictions (total) | server RSS MB |');
        console.log('| --- | --- | --- | --- | --- | --- | --- |');
        console.log(
            `| before | - | - | ${before.stats.entries} | ${mb(before.stats.bytes)} | ${before.stats.evictions} | ${mb(before.rss)} |`,
        );
        console.log(
            `| unique slugs, tiny answers (key-count limit) | ${FLOOD_SMALL} | ${fmt(smallSeconds)} | ${small.stats.entries} | ${mb(small.stats.bytes)} | ${small.stats.evictions} | ${mb(small.rss)} |`,
        );
        console.log(
            `| unique filters, 50-product answers (memory limit) | ${FLOOD_LARGE} | ${fmt(largeSeconds)} | ${large.stats.entries} | ${mb(large.stats.bytes)} | ${large.stats.evictions} | ${mb(large.rss)} |`,
        );
        if (small.stats.entries > MAX_ENTRIES || large.stats.bytes > MAX_MB * 1024 * 1024) {
            throw new Error('A cache limit was exceeded');
        }
    } finally {
        proc.disconnect();
    }
}

if (process.argv[2] === 'child') {
    void child();
} else {
    main().catch(e => {
        console.error(e);
        process.exit(1);
    });
}
