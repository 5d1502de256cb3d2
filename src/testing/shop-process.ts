import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A shop server or worker in a process of its own, started by its real entry point (`src/server.ts` through
 * `scripts/ts-register.cjs` when this file runs as TypeScript, `dist/src/server.js` when compiled), so whatever
 * the entry point sets up before Vendure loads (the tracing preload) runs as in production.
 */
export interface ShopProcess {
    child: ChildProcess;
    /** Every stdout line so far (JSON lines with LOG_FORMAT=json). */
    lines: string[];
    /** The stdout lines that parse as JSON objects. */
    jsonLines(): Array<Record<string, unknown>>;
    /** Resolves once `url` answers 200 (e.g. `/health`), rejects if the process exits first or after `timeoutMs`. */
    ready(url: string, timeoutMs?: number): Promise<void>;
    /** SIGTERM, and waits for the exit (SIGKILL after 20 s). */
    stop(): Promise<void>;
}

export function startShopProcess(entry: 'server' | 'worker' | 'main', env: NodeJS.ProcessEnv): ShopProcess {
    const ext = path.extname(__filename);
    const script = path.join(__dirname, '..', `${entry}${ext}`);
    const args =
        ext === '.ts'
            ? ['--enable-source-maps', '-r', path.join(__dirname, '../../scripts/ts-register.cjs'), script]
            : ['--enable-source-maps', script];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const stderr: string[] = [];
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        lines.push(...parts);
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    let exited = false;
    const exit = new Promise<void>(resolve =>
        child.once('exit', () => {
            exited = true;
            resolve();
        }),
    );
    return {
        child,
        lines,
        jsonLines: () =>
            lines.flatMap(l => {
                try {
                    const v = JSON.parse(l) as unknown;
                    return v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
                } catch {
                    return [];
                }
            }),
        async ready(url: string, timeoutMs = 180_000) {
            const deadline = Date.now() + timeoutMs;
            while (Date.now() < deadline) {
                if (exited) {
                    throw new Error(
                        `${entry} exited before it was ready:\n${lines.slice(-20).join('\n')}\n${stderr.join('').slice(-4000)}`,
                    );
                }
                const ok = await fetch(url).then(
                    r => r.status === 200,
                    () => false,
                );
                if (ok) {
                    return;
                }
                await new Promise(resolve => setTimeout(resolve, 250));
            }
            throw new Error(`${entry} not ready at ${url} after ${timeoutMs} ms`);
        },
        async stop() {
            if (exited) {
                return;
            }
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
            await exit;
            clearTimeout(timer);
        },
    };
}
