import { MigrationInterface, QueryRunner } from 'typeorm';

export class SmsOtp1795914603656 implements MigrationInterface {
    name = 'SmsOtp1795914603656';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"otp_challenge\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"phoneNumber\" varchar(11) NOT NULL, \"purpose\" varchar(8) NOT NULL, \"outcome\" varchar(12) NOT NULL, \"failureReason\" varchar(40), \"providerStatus\" integer, \"providerMessageId\" varchar(32), \"codeHash\" varchar(64) NOT NULL, \"expiresAt\" datetime NOT NULL, \"attempts\" integer NOT NULL DEFAULT (0), \"consumed\" boolean NOT NULL DEFAULT (0), \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"userId\" integer)");
        await queryRunner.query("CREATE INDEX \"IDX_57592c5f0cc28efaa8496ca7d4\" ON \"otp_challenge\" (\"phoneNumber\", \"purpose\", \"createdAt\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_57592c5f0cc28efaa8496ca7d4\"");
        await queryRunner.query("DROP TABLE \"otp_challenge\"");
    }
}
