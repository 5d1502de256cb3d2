import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { build } from 'esbuild';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readBackupStatus } from '../src/backup/backup-status';
import { PROJECT_ROOT } from '../src/paths';
import { createTestShop, TestShop, testProfile } from '../src/testing/test-shop';

import { ADD_PAYMENT, FIRST_VARIANT_IDS, prepareOrderForPayment } from './checkout-helpers';

/**
 * `npm run backup` / `npm run restore` (embedded profile) run as the real commands, in their own processes, against
 * a shop taking orders from 10 concurrent shoppers.
 */

interface Cli {
    code: number | null;
    out: string;
}

let cliDir: string;

/** The two commands bundled as `npm run build` would compile them (esbuild: no decorators in them). */
async function bundleClis(): Promise<void> {
    cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-cli-'));
    await build({
        entryPoints: ['backup', 'restore'].map(n => path.join(PROJECT_ROOT, 'scripts', 'backup', `${n}.ts`)),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        packages: 'external',
        outdir: cliDir,
        logLevel: 'error',
    });
}

function runCli(name: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<Cli> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(cliDir, `${name}.js`), ...args], {
            env: { PATH: process.env.PATH, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), ...env },
        });
        let out = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (out += d));
        child.once('error', reject);
        child.once('exit', code => resolve({ code, out }));
    });
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe.runIf(testProfile() === 'sqlite')('embedded backup and restore (SQLite)', () => {
    let t: TestShop;
    let dir: string;
    let env: Record<string, string>;

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-e2e-'));
        await bundleClis();
        t = await createTestShop();
        fs.mkdirSync(t.app.assetsDir, { recursive: true });
        fs.writeFileSync(path.join(t.app.assetsDir, 'product-photo.jpg'), 'not really a jpeg');
        env = {
            SQLITE_PATH: t.app.database.type === 'better-sqlite3' ? t.app.database.path : '',
            ASSETS_DIR: t.app.assetsDir,
            BACKUP_DIR: path.join(dir, 'backups'),
            BACKUP_STATUS_FILE: path.join(dir, 'backup-status.json'),
        };
    });

    afterAll(async () => {
        await t?.close();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(cliDir, { recursive: true, force: true });
    });

    it('backs up during 10 concurrent checkouts: the copy passes integrity_check and holds every order committed before it began, and a shop starts on it', async () => {
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        const placed: Array<{ code: string; total: number; at: number }> = [];
        const errors: string[] = [];
        let stop = false;
        let inFlight = 0;
        const shopper = async (n: number) => {
            for (let i = 0; !stop; i++) {
                inFlight++;
                try {
                    const client = t.newShopClient();
                    const order = await prepareOrderForPayment(client, {
                        variantId: products.items[(n + i) % products.items.length].variants[0].id,
                        email: `backup-${n}-${i}@example.ir`,
                    });
                    const { addPaymentToOrder } = await client.query(ADD_PAYMENT, {
                        input: { method: 'cash-on-delivery', metadata: {} },
                    });
                    if (addPaymentToOrder.errorCode) {
                        errors.push(`${addPaymentToOrder.errorCode}: ${addPaymentToOrder.message}`);
                    } else {
                        placed.push({
                            code: order.code,
                            total: addPaymentToOrder.totalWithTax,
                            at: Date.now(),
                        });
                    }
                } catch (e) {
                    errors.push((e as Error).message);
                } finally {
                    inFlight--;
                }
            }
        };
        const shoppers = Array.from({ length: 10 }, (_, n) => shopper(n));
        while (placed.length < 10 && !errors.length) {
            await new Promise(r => setTimeout(r, 50));
        }
        const backupBegan = Date.now();
        const checkoutsInFlight = inFlight;
        const committedBefore = placed.filter(p => p.at < backupBegan);
        const backup = await runCli('backup', [], env);
        const placedDuringBackup = placed.filter(p => p.at >= backupBegan).length;
        stop = true;
        await Promise.all(shoppers);

        expect(errors).toEqual([]);
        expect(backup.out).toContain('integrity ok');
        expect(backup.code).toBe(0);
        expect(checkoutsInFlight).toBeGreaterThan(0);
        const [file] = fs.readdirSync(env.BACKUP_DIR).filter(f => f.endsWith('.sqlite'));
        const backupFile = path.join(env.BACKUP_DIR, file);

        const copy = new Database(backupFile, { readonly: true });
        expect(copy.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
        const rows = copy
            .prepare(`SELECT code, state, "subTotalWithTax" + "shippingWithTax" AS total FROM "order"`)
            .all() as Array<{ code: string; state: string; total: number }>;
        copy.close();
        const inBackup = new Map(rows.map(r => [r.code, r]));
        for (const order of committedBefore) {
            expect(inBackup.get(order.code), order.code).toEqual({
                code: order.code,
                state: 'PaymentAuthorized',
                total: order.total,
            });
        }
        expect(fs.readFileSync(path.join(`${backupFile}.assets`, 'product-photo.jpg'), 'utf8')).toBe(
            'not really a jpeg',
        );
        const status = readBackupStatus(env.BACKUP_STATUS_FILE);
        expect(status.sqlite?.lastGoodBackup.file).toBe(backupFile);
        console.log(
            `backup during checkouts: ${committedBefore.length} orders committed before it began, ${checkoutsInFlight} checkouts in flight then, ${placedDuringBackup} completed while it ran; ${backup.out.trim()}`,
        );

        // Restore into a fresh place and run a shop on it (the first one stopped, as one process runs the
        // embedded profile's scheduled tasks): every order is there through the Admin API.
        await t.close();
        t = undefined as unknown as TestShop;
        const restoredDb = path.join(dir, 'restored', 'shop.sqlite');
        const restoredAssets = path.join(dir, 'restored', 'assets');
        const restored = await runCli('restore', [backupFile], {
            ...env,
            SQLITE_PATH: restoredDb,
            ASSETS_DIR: restoredAssets,
        });
        expect(restored.out).toContain('integrity ok');
        expect(restored.code).toBe(0);
        expect(fs.existsSync(path.join(restoredAssets, 'product-photo.jpg'))).toBe(true);
        const shop2 = await createTestShop({
            seed: false,
            env: { SQLITE_PATH: restoredDb, ASSETS_DIR: restoredAssets },
        });
        try {
            const { orders } = await shop2.admin.query(
                gql`
                    query ($codes: [String!]) {
                        orders(options: { filter: { code: { in: $codes } }, take: 1000 }) {
                            items {
                                code
                                state
                                totalWithTax
                            }
                        }
                    }
                `,
                { codes: committedBefore.map(o => o.code) },
            );
            expect(orders.items).toHaveLength(committedBefore.length);
            for (const o of orders.items) {
                expect(o.state).toBe('PaymentAuthorized');
                expect(o.totalWithTax).toBe(committedBefore.find(c => c.code === o.code)!.total);
            }
        } finally {
            await shop2.close();
        }

        // Bad input: each refused with exit 2 and a clear message, the target untouched.
        const before = sha(restoredDb);
        const refusals: Array<[string[], Record<string, string>, RegExp]> = [
            [[], env, /no backup file given/],
            [[path.join(dir, 'missing.sqlite')], env, /does not exist/],
            [[path.join(dir, 'backup-status.json')], env, /not a SQLite database/],
            [[backupFile], { ...env, SQLITE_PATH: restoredDb }, /is not empty/],
        ];
        const truncated = path.join(dir, 'truncated.sqlite');
        fs.writeFileSync(truncated, fs.readFileSync(backupFile).subarray(0, 64 * 1024));
        refusals.push([
            [truncated],
            { ...env, SQLITE_PATH: path.join(dir, 'other.sqlite') },
            /damaged|not a usable|not a backup/,
        ]);
        for (const [args, e, message] of refusals) {
            const result = await runCli('restore', args, e);
            expect(result.out).toMatch(message);
            expect(result.out).toMatch(/^restore refused/);
            expect(result.code).toBe(2);
        }
        expect(sha(restoredDb)).toBe(before);
        expect(fs.existsSync(path.join(dir, 'other.sqlite'))).toBe(false);
    });
});
