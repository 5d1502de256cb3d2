import { bootstrapWorker } from '@vendure/core';

import { buildVendureConfig } from '../vendure-config';
import { loadAppConfig } from '../src/config/app-config';
import { applyMigrations } from '../src/db/migrations';
import { seedDemoShop } from '../src/seed/seed';
import { resolveProviderUrls } from '../src/simulators/provider-urls';

/** `npm run seed`: seeds the demo shop into the configured database (idempotent). */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const config = buildVendureConfig(app, {
        role: 'worker',
        providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
    });
    await applyMigrations(config);
    const worker = await bootstrapWorker(config);
    const { seeded } = await seedDemoShop(worker.app, app);
    console.log(seeded ? 'Demo shop seeded.' : 'The shop already has products: nothing to seed.');
    await worker.app.close();
}

main().then(
    // With REDIS_URL three Redis connections stay open after the app is closed (whose is not found yet); without
    // the exit, `npm run seed` prints its line and never ends.
    () => process.exit(0),
    e => {
        console.error(e);
        process.exit(1);
    },
);
