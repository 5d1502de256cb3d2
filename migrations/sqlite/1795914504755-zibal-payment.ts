import { MigrationInterface, QueryRunner } from 'typeorm';

export class ZibalPayment1795914504755 implements MigrationInterface {
    name = 'ZibalPayment1795914504755';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"zibal_payment_attempt\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"trackId\" varchar(32) NOT NULL, \"orderId\" varchar(64) NOT NULL, \"orderCode\" varchar(64) NOT NULL, \"channelToken\" varchar(64) NOT NULL, \"paymentMethodCode\" varchar(64) NOT NULL, \"state\" varchar(16) NOT NULL, \"zibalStatus\" integer, \"refNumber\" varchar(64), \"maskedCardNumber\" varchar(32), \"paidAt\" varchar(40), \"claimToken\" varchar(64), \"claimExpiresAt\" bigint, \"paymentId\" varchar(64), \"history\" text NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"amount\" bigint NOT NULL)");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_ebe0eb87a3191dea1f45c28a6c\" ON \"zibal_payment_attempt\" (\"trackId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_20322420f5c74ccc449dd72fb9\" ON \"zibal_payment_attempt\" (\"orderId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_5b22c4554ea3347ab1a1e54252\" ON \"zibal_payment_attempt\" (\"state\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_5b22c4554ea3347ab1a1e54252\"");
        await queryRunner.query("DROP INDEX \"IDX_20322420f5c74ccc449dd72fb9\"");
        await queryRunner.query("DROP INDEX \"IDX_ebe0eb87a3191dea1f45c28a6c\"");
        await queryRunner.query("DROP TABLE \"zibal_payment_attempt\"");
    }
}
