import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The figures a scenario measured (jobs killed -> done once, orders in flight -> paid once, time to recover),
 * printed and appended as one JSON line to FAULTS_FIGURES_FILE (default: the system's temp folder), from which
 * docs/reliability.md's table is written.
 */
export function recordFigures(scenario: string, figures: Record<string, number | string | boolean>): void {
    const file = process.env.FAULTS_FIGURES_FILE ?? path.join(os.tmpdir(), 'fault-figures.jsonl');
    const line = JSON.stringify({ scenario, at: new Date().toISOString(), ...figures });
    fs.appendFileSync(file, `${line}\n`);
    console.log(`[faults] ${line}`);
}

/** Milliseconds since `start`, rounded. */
export function since(start: number): number {
    return Math.round(performance.now() - start);
}
