/**
 * `npm run backup [-- <file>]`: a consistent online copy of the embedded profile's SQLite database (SQLite's online
 * backup API, safe while the shop takes orders) and its uploaded assets, into BACKUP_DIR by default.
 * Exit codes: 0 done, 2 refused (message says why), 1 failed.
 */
import { loadAppConfig } from '../../src/config/app-config';
import { BackupRefused, backupSqlite } from '../../src/backup/sqlite-backup';

async function main(): Promise<void> {
    const app = loadAppConfig();
    const result = await backupSqlite(app, process.argv[2]);
    console.log(
        `backup: ${result.file} (${result.bytes} bytes, ${result.orders} orders, integrity ok) and assets in ${result.assetsDir}; ` +
            `${result.finishedAt.getTime() - result.startedAt.getTime()} ms`,
    );
}

main().catch(e => {
    console.error(`backup ${e instanceof BackupRefused ? 'refused' : 'failed'}: ${(e as Error).message}`);
    process.exit(e instanceof BackupRefused ? 2 : 1);
});
