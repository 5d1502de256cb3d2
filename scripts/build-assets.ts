import { buildAdminUi } from '../src/admin-ui';

/**
 * The build steps after `tsc`: assets for browsers. Each step is skipped when its inputs did not change.
 * `npm run build` runs this, so `npm start` and the Docker image get them too.
 */
async function main(): Promise<void> {
    await buildAdminUi();
}

main().catch(err => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
