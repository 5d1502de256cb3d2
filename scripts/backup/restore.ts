/**
 * `npm run restore -- <backup.sqlite>`: puts a backup made by `npm run backup` back as the embedded profile's
 * database (SQLITE_PATH) and its assets into ASSETS_DIR. Stop the shop and move the old database aside first: a
 * target that is not empty is refused. Exit codes: 0 done, 2 refused (nothing was changed), 1 failed.
 */
import { loadAppConfig } from '../../src/config/app-config';
import { BackupRefused, restoreSqlite } from '../../src/backup/sqlite-backup';

async function main(): Promise<void> {
    const app = loadAppConfig();
    const result = await restoreSqlite(app, process.argv[2]);
    console.log(
        `restored ${result.file} into ${result.target} (${result.orders} orders, integrity ok)` +
            (result.assetsCopied ? `; assets into ${app.assetsDir}` : '; the backup has no assets folder'),
    );
}

main().catch(e => {
    console.error(`restore ${e instanceof BackupRefused ? 'refused' : 'failed'}: ${(e as Error).message}`);
    process.exit(e instanceof BackupRefused ? 2 : 1);
});
