import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import Database from 'better-sqlite3';
import gql from 'graphql-tag';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADJUSTMENT_COLUMNS, MONEY_COLUMNS, OPERATION_COLUMNS } from '../migrations/money-minor-units';
import { AppConfig } from '../src/config/app-config';
import { applyMigrations } from '../src/db/migrations';
import { resolveProviderUrls } from '../src/simulators/provider-urls';
import { formatAsStorefront } from '../src/testing/storefront-format';
import { createTestShop, TestShop, testProfile } from '../src/testing/test-shop';
import { buildVendureConfig } from '../vendure-config';

/**
 * A database made by the version that stored whole Rials (test/fixtures/README.md) is migrated by the server's
 * start, then compared row by row with what it was, and read through the APIs.
 */
type Row = Record<string, unknown>;
type Snapshot = Map<string, Map<string, Row>>;

/** bigint columns that are not money. */
const NOT_MONEY = new Set(['zibal_payment_attempt.claimExpiresAt', 'migrations.timestamp']);

describe(`money migration: whole Rials to Rial x 100 (${testProfile()})`, () => {
    let t: TestShop;
    let before: Snapshot;
    let after: Snapshot;
    let bigintColumns: string[];
    let ran: string[];

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            prepareDatabase: async app => {
                await loadFixture(app.database);
                before = await snapshot(app.database);
                // The migrations alone (the server's start, which runs them too, also writes sessions etc.).
                const providers = resolveProviderUrls(app, 'http://127.0.0.1:9');
                ran = await applyMigrations(buildVendureConfig(app, { role: 'server', providers }));
                expect(ran).toEqual(expect.arrayContaining([expect.stringMatching(/^MoneyMinorUnits\d+$/)]));
                after = await snapshot(app.database);
                bigintColumns = await listBigintColumns(app.database);
            },
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    const rowsOf = (s: Snapshot, table: string) => [...(s.get(table) ?? new Map<string, Row>()).entries()];

    it('multiplies every money column by 100', () => {
        let checked = 0;
        for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
            for (const [key, row] of rowsOf(before, table)) {
                const migrated = after.get(table)!.get(key)!;
                for (const column of columns) {
                    const value = row[column];
                    expect(migrated[column], `${table}.${column} of ${key}`).toEqual(
                        value == null ? null : Number(value) * 100,
                    );
                    checked++;
                }
            }
        }
        expect(checked).toBeGreaterThan(100);
        // Known figures of the fixture: the Samsung A55's price and the refunded order's partial refund.
        const price = rowsOf(after, 'product_variant_price').find(([, r]) => r.price === 21_500_000_000);
        expect(price).toBeDefined();
        const [[, refund]] = rowsOf(after, 'refund');
        expect(refund.total).toBe(123_456_700);
    });

    it('converts the adjustments and the money arguments of promotions, shipping and payment methods', () => {
        for (const [table, column] of Object.entries(ADJUSTMENT_COLUMNS)) {
            for (const [key, row] of rowsOf(before, table)) {
                const old = JSON.parse(String(row[column])) as Array<{
                    amount: number;
                    data?: { itemDistribution?: number[] };
                }>;
                const expected = old.map(a => ({
                    ...a,
                    amount: a.amount * 100,
                    ...(a.data?.itemDistribution
                        ? { data: { ...a.data, itemDistribution: a.data.itemDistribution.map(x => x * 100) } }
                        : {}),
                }));
                expect(JSON.parse(String(after.get(table)!.get(key)![column])), `${table} ${key}`).toEqual(
                    expected,
                );
            }
        }
        const argsOf = (table: string, column: string) =>
            rowsOf(after, table).flatMap(([, r]) => {
                const value = JSON.parse(String(r[column] ?? 'null')) as unknown;
                const operations = (Array.isArray(value) ? value : value ? [value] : []) as Array<{
                    code: string;
                    args: Array<{ name: string; value: string }>;
                }>;
                return operations.flatMap(o => o.args.map(a => `${o.code}.${a.name}=${a.value}`));
            });
        // Written out, not derived from the migration's own table: what the fixture's operations hold now.
        expect(argsOf('promotion', 'conditions')).toEqual(
            expect.arrayContaining([
                'minimum_order_amount.amount=1000000000',
                'dr_volume_tier.basis=amount',
                // Amount tiers are text in Rial, compared with the order in Rial: unchanged.
                'dr_volume_tier.tiers=["50000000:10"]',
            ]),
        );
        expect(argsOf('promotion', 'actions')).toEqual(
            expect.arrayContaining([
                'order_fixed_discount.discount=100000000',
                'dr_capped_order_percentage_discount.discount=7',
                'dr_capped_order_percentage_discount.maxDiscount=500000000',
                'dr_tiered_percentage_discount.maxDiscount=2000000000',
            ]),
        );
        expect(argsOf('shipping_method', 'calculator')).toEqual(
            expect.arrayContaining([
                'default-shipping-calculator.rate=50000000',
                'default-shipping-calculator.taxRate=0',
            ]),
        );
        expect(argsOf('payment_method', 'checker')).toEqual(
            expect.arrayContaining(['cash-on-delivery-eligibility.maxOrderAmount=50000000000']),
        );
    });

    it('changes nothing else in any table', () => {
        const converted = new Set([
            ...Object.entries(MONEY_COLUMNS).flatMap(([table, cols]) => cols.map(c => `${table}.${c}`)),
            ...Object.entries(ADJUSTMENT_COLUMNS).map(([table, col]) => `${table}.${col}`),
            ...Object.entries(OPERATION_COLUMNS).flatMap(([table, cols]) => cols.map(c => `${table}.${c}`)),
        ]);
        // Tables made by later migrations are new and empty.
        for (const table of after.keys()) {
            if (!before.has(table)) {
                expect(after.get(table)!.size, table).toBe(0);
            }
        }
        for (const [table, rows] of before) {
            if (table === 'migrations') {
                // One row more per migration that ran: the money migration and any later one.
                expect(after.get(table)!.size).toBe(rows.size + ran.length);
                continue;
            }
            expect(after.get(table)!.size, table).toBe(rows.size);
            for (const [key, row] of rows) {
                const migrated = after.get(table)!.get(key)!;
                for (const [column, value] of Object.entries(row)) {
                    if (!converted.has(`${table}.${column}`)) {
                        expect(migrated[column], `${table}.${column} of ${key}`).toEqual(value);
                    }
                }
            }
        }
    });

    it('leaves no bigint column unconverted but the ones that are not money', () => {
        const money = new Set(
            Object.entries(MONEY_COLUMNS).flatMap(([table, cols]) => cols.map(c => `${table}.${c}`)),
        );
        expect(bigintColumns.filter(c => !money.has(c) && !NOT_MONEY.has(c))).toEqual([]);
    });

    it('shows the same Rials through the Shop and Admin APIs, formatted as Vendure storefronts do', async () => {
        const { products } = await t.shop.query(gql`
            query {
                products(options: { filter: { name: { contains: "A55" } } }) {
                    items {
                        variants {
                            currencyCode
                            priceWithTax
                        }
                    }
                }
            }
        `);
        const [phone] = products.items[0].variants;
        expect(formatAsStorefront(phone.priceWithTax, phone.currencyCode)).toBe('IRR\u00a0215,000,000');

        const { orders } = await t.admin.query(gql`
            query {
                orders(options: { sort: { id: ASC } }) {
                    items {
                        code
                        state
                        currencyCode
                        totalWithTax
                        shippingWithTax
                        lines {
                            proratedLinePriceWithTax
                        }
                        shippingLines {
                            discountedPriceWithTax
                        }
                        payments {
                            amount
                            state
                            refunds {
                                total
                            }
                        }
                    }
                }
            }
        `);
        expect(orders.items).toHaveLength(6);
        for (const order of orders.items) {
            const lines = order.lines.reduce(
                (s: number, l: { proratedLinePriceWithTax: number }) => s + l.proratedLinePriceWithTax,
                0,
            );
            const shipping = order.shippingLines.reduce(
                (s: number, l: { discountedPriceWithTax: number }) => s + l.discountedPriceWithTax,
                0,
            );
            // Totals stored by the old version, converted, equal what Vendure computes from the converted lines.
            expect(order.totalWithTax, order.code).toBe(lines + shipping);
            expect(order.shippingWithTax, order.code).toBe(shipping);
            expect(order.totalWithTax % 100, order.code).toBe(0);
            for (const payment of order.payments) {
                expect(payment.amount, order.code).toBe(order.totalWithTax);
            }
        }
        const cod = orders.items[0];
        expect(formatAsStorefront(cod.totalWithTax, cod.currencyCode)).toBe('IRR\u00a0283,500,000');
        const refunded = orders.items[3];
        expect(refunded.payments[0].refunds[0].total).toBe(123_456_700);
    });
});

async function loadFixture(database: AppConfig['database']): Promise<void> {
    const dir = path.join(__dirname, 'fixtures');
    if (database.type === 'postgres') {
        const sql = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'money-v1.postgres.sql.gz'))).toString();
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
            await client.query(sql);
        } finally {
            await client.end();
        }
    } else {
        fs.mkdirSync(path.dirname(database.path), { recursive: true });
        fs.writeFileSync(
            database.path,
            zlib.gunzipSync(fs.readFileSync(path.join(dir, 'money-v1.sqlite.gz'))),
        );
    }
}

async function snapshot(database: AppConfig['database']): Promise<Snapshot> {
    const result: Snapshot = new Map();
    await withDb(database, async db => {
        for (const table of await db.tables()) {
            const keys = await db.primaryKey(table);
            const rows = new Map<string, Row>();
            for (const row of await db.rows(table)) {
                const normalized = Object.fromEntries(
                    Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]),
                );
                rows.set(JSON.stringify(keys.map(k => normalized[k])), normalized);
            }
            result.set(table, rows);
        }
    });
    return result;
}

async function listBigintColumns(database: AppConfig['database']): Promise<string[]> {
    return withDb(database, db => db.bigintColumns());
}

interface Db {
    tables(): Promise<string[]>;
    primaryKey(table: string): Promise<string[]>;
    rows(table: string): Promise<Row[]>;
    bigintColumns(): Promise<string[]>;
}

async function withDb<T>(database: AppConfig['database'], work: (db: Db) => Promise<T>): Promise<T> {
    if (database.type === 'postgres') {
        const client = new Client({ connectionString: database.url });
        await client.connect();
        // bigint as numbers: every amount here is a safe integer.
        const q = async (sql: string, params: unknown[] = []) =>
            (await client.query(sql, params)).rows as Row[];
        try {
            return await work({
                tables: async () =>
                    (
                        await q(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                        )
                    ).map(r => String(r.table_name)),
                primaryKey: async table =>
                    (
                        await q(
                            `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                             WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attname`,
                            [`public."${table}"`],
                        )
                    ).map(r => String(r.attname)),
                rows: async table =>
                    (await q(`SELECT * FROM public."${table}"`)).map(r =>
                        Object.fromEntries(
                            Object.entries(r).map(([k, v]) => [
                                k,
                                typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v,
                            ]),
                        ),
                    ),
                bigintColumns: async () =>
                    (
                        await q(
                            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bigint'",
                        )
                    ).map(r => `${String(r.table_name)}.${String(r.column_name)}`),
            });
        } finally {
            await client.end();
        }
    }
    const db = new Database(database.path, { readonly: true });
    try {
        const tables = (
            db
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all() as Row[]
        ).map(r => String(r.name));
        const info = (table: string) =>
            db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{
                name: string;
                type: string;
                pk: number;
            }>;
        return await work({
            tables: async () => tables,
            primaryKey: async table => {
                const pk = info(table)
                    .filter(c => c.pk > 0)
                    .map(c => c.name)
                    .sort();
                return pk.length ? pk : info(table).map(c => c.name);
            },
            rows: async table => db.prepare(`SELECT * FROM "${table}"`).all() as Row[],
            bigintColumns: async () =>
                tables.flatMap(table =>
                    info(table)
                        .filter(c => c.type.toLowerCase() === 'bigint')
                        .map(c => `${table}.${c.name}`),
                ),
        });
    } finally {
        db.close();
    }
}
