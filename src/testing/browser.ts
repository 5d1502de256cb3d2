import fs from 'node:fs';

import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, headless Chromium in a container: no sandbox (no user namespaces there), no GPU, and none
 * of the background traffic (updates, sync, QUIC probes) a test has no use for.
 */
const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

/**
 * Why browser tests cannot run on this machine, for `describe.skipIf`; undefined when they can. On CI (`CI`
 * set) a missing Chromium is an error rather than a skip: CI installs it, so its absence is a broken setup.
 */
export function browserSkipReason(): string | undefined {
    if (fs.existsSync(CHROMIUM_PATH)) {
        return undefined;
    }
    const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
    if (process.env.CI) {
        throw new Error(`Browser tests need Chromium on CI: ${reason}`);
    }
    return reason;
}

/** Launches headless Chromium; Playwright gives every launch a fresh temporary profile. */
export function launchBrowser(): Promise<Browser> {
    return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
