import fs from 'node:fs';

import { Browser, chromium, Page } from 'playwright-core';

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

/**
 * Logs in to the Admin UI at `baseUrl` in `page` (Persian by default; `language: 'en'` switches the UI language
 * the way the UI's language menu stores it) and waits for the dashboard.
 */
export async function loginToAdminUi(
    page: Page,
    baseUrl: string,
    credentials: { username: string; password: string },
    language?: 'en' | 'fa',
): Promise<void> {
    if (language) {
        // The Admin UI's LocalStorageService key (`vnd_` + `_` + key, JSON values); the script runs in the page.
        await page.addInitScript(
            `localStorage.setItem('vnd__uiLanguageCode', ${JSON.stringify(JSON.stringify(language))})`,
        );
    }
    await page.goto(`${baseUrl}/admin/login`);
    await page.fill('#login_username', credentials.username);
    await page.fill('#login_password', credentials.password);
    await page.click('button[type=submit]');
    await page.waitForURL(url => !url.pathname.endsWith('/login'));
}
