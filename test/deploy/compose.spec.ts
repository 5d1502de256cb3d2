import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseYamlDocuments, ROOT } from './deploy-tools';

const FILE = path.join(ROOT, 'docker', 'compose.yaml');
/** Placeholders for the variables compose.yaml requires (`${VAR:?}`), as docker/.env would give them. */
const REQUIRED = {
    PUBLIC_URL: 'https://shop.example.ir',
    POSTGRES_PASSWORD: 'x',
    SUPERADMIN_PASSWORD: 'x',
    COOKIE_SECRET: 'x',
    MINIO_ROOT_PASSWORD: 'x',
    BACKUP_CIPHER_PASS: 'x',
};

interface Service {
    image?: string;
    command?: string[];
    read_only?: boolean;
    user?: string;
    profiles?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    cap_drop?: string[];
    tmpfs?: string[];
}

/** `docker-compose config` (Debian's docker-compose 1.29): the file as Compose resolves it, anchors merged. */
function resolved(env: Record<string, string>, ...args: string[]): { code: number; out: string } {
    const run = spawnSync('docker-compose', ['-f', FILE, ...args, 'config'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env },
    });
    return { code: run.status ?? 1, out: run.stdout + run.stderr };
}

describe('docker/compose.yaml', () => {
    it('is valid for docker-compose, with every service of the single-host setup', () => {
        const { code, out } = resolved(REQUIRED);
        expect(code, out).toBe(0);
        const services = (parseYamlDocuments(out)[0] as { services: Record<string, Service> }).services;
        expect(Object.keys(services).sort()).toEqual([
            'migrate',
            'minio',
            'minio-init',
            'postgres',
            'proxy',
            'redis-cache',
            'redis-queue',
            'server-1',
            'server-2',
            'simulators',
            'worker',
        ]);
        // Only with `--profile simulators`.
        expect(services.simulators.profiles).toEqual(['simulators']);
        for (const name of ['server-1', 'server-2', 'worker', 'migrate']) {
            const s = services[name];
            expect(s, name).toMatchObject({ read_only: true, user: '1000:1000', cap_drop: ['ALL'] });
            expect(s.environment).toMatchObject({
                DATABASE_URL: expect.stringContaining('@postgres:5432/shop'),
                REDIS_URL: 'redis://redis-queue:6379/0',
                REDIS_CACHE_URL: 'redis://redis-cache:6379/0',
            });
        }
        expect(services['server-1'].command).toEqual(['server']);
        expect(services.worker.command).toEqual(['worker']);
        expect(services['server-1'].depends_on?.migrate).toEqual({
            condition: 'service_completed_successfully',
        });
        // The queue must keep its jobs; the cache may evict.
        expect(services['redis-queue'].command!.join(' ')).toMatch(
            /--appendonly yes .*--maxmemory-policy noeviction/,
        );
        expect(services['redis-cache'].command!.join(' ')).toMatch(
            /--maxmemory-policy allkeys-lru .*--appendonly no/,
        );
        expect(services.postgres.command!.join(' ')).toMatch(
            /archive_mode=on .*archive_command=pgbackrest --stanza=shop archive-push %p/,
        );
        expect(fs.readFileSync(path.join(ROOT, 'docker', 'postgres.Dockerfile'), 'utf8')).toMatch(
            /^FROM postgres:16/m,
        );
    });

    it('the simulators profile adds the provider simulators', () => {
        const { code, out } = resolved(REQUIRED, '--profile', 'simulators');
        expect(code, out).toBe(0);
        const services = (parseYamlDocuments(out)[0] as { services: Record<string, Service> }).services;
        expect(services.simulators).toMatchObject({
            command: ['node', 'dist/src/simulators/main.js'],
            environment: { HOST: '0.0.0.0' },
        });
    });

    it('refuses to start without a required secret and names it', () => {
        const { COOKIE_SECRET: _omitted, ...env } = REQUIRED;
        const { code, out } = resolved(env);
        expect(code).not.toBe(0);
        expect(out).toContain('set COOKIE_SECRET');
    });

    it('the proxy passes WebSockets to both servers', () => {
        const caddy = fs.readFileSync(path.join(ROOT, 'docker', 'Caddyfile'), 'utf8');
        expect(caddy).toMatch(/reverse_proxy server-1:3000 server-2:3000/);
        expect(execFileSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).trim()).toMatch(
            /^\d+\./,
        );
    });
});
