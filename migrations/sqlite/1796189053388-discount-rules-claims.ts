import { MigrationInterface, QueryRunner } from 'typeorm';

export class DiscountRulesClaims1796189053388 implements MigrationInterface {
    name = 'DiscountRulesClaims1796189053388';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"discount_claim\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"scope\" varchar(64) NOT NULL, \"identityKind\" varchar(16) NOT NULL, \"identityHash\" varchar(64) NOT NULL, \"slot\" integer NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"orderId\" integer NOT NULL)");
        await queryRunner.query("CREATE INDEX \"IDX_2b901f012fb232af2da2e39289\" ON \"discount_claim\" (\"orderId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\" ON \"discount_claim\" (\"scope\", \"identityHash\", \"slot\") ");
        await queryRunner.query("DROP INDEX \"IDX_2b901f012fb232af2da2e39289\"");
        await queryRunner.query("DROP INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\"");
        await queryRunner.query("CREATE TABLE \"temporary_discount_claim\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"scope\" varchar(64) NOT NULL, \"identityKind\" varchar(16) NOT NULL, \"identityHash\" varchar(64) NOT NULL, \"slot\" integer NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"orderId\" integer NOT NULL, CONSTRAINT \"FK_2b901f012fb232af2da2e392893\" FOREIGN KEY (\"orderId\") REFERENCES \"order\" (\"id\") ON DELETE CASCADE ON UPDATE NO ACTION)");
        await queryRunner.query("INSERT INTO \"temporary_discount_claim\"(\"createdAt\", \"updatedAt\", \"scope\", \"identityKind\", \"identityHash\", \"slot\", \"id\", \"orderId\") SELECT \"createdAt\", \"updatedAt\", \"scope\", \"identityKind\", \"identityHash\", \"slot\", \"id\", \"orderId\" FROM \"discount_claim\"");
        await queryRunner.query("DROP TABLE \"discount_claim\"");
        await queryRunner.query("ALTER TABLE \"temporary_discount_claim\" RENAME TO \"discount_claim\"");
        await queryRunner.query("CREATE INDEX \"IDX_2b901f012fb232af2da2e39289\" ON \"discount_claim\" (\"orderId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\" ON \"discount_claim\" (\"scope\", \"identityHash\", \"slot\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\"");
        await queryRunner.query("DROP INDEX \"IDX_2b901f012fb232af2da2e39289\"");
        await queryRunner.query("ALTER TABLE \"discount_claim\" RENAME TO \"temporary_discount_claim\"");
        await queryRunner.query("CREATE TABLE \"discount_claim\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"scope\" varchar(64) NOT NULL, \"identityKind\" varchar(16) NOT NULL, \"identityHash\" varchar(64) NOT NULL, \"slot\" integer NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"orderId\" integer NOT NULL)");
        await queryRunner.query("INSERT INTO \"discount_claim\"(\"createdAt\", \"updatedAt\", \"scope\", \"identityKind\", \"identityHash\", \"slot\", \"id\", \"orderId\") SELECT \"createdAt\", \"updatedAt\", \"scope\", \"identityKind\", \"identityHash\", \"slot\", \"id\", \"orderId\" FROM \"temporary_discount_claim\"");
        await queryRunner.query("DROP TABLE \"temporary_discount_claim\"");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\" ON \"discount_claim\" (\"scope\", \"identityHash\", \"slot\") ");
        await queryRunner.query("CREATE INDEX \"IDX_2b901f012fb232af2da2e39289\" ON \"discount_claim\" (\"orderId\") ");
        await queryRunner.query("DROP INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\"");
        await queryRunner.query("DROP INDEX \"IDX_2b901f012fb232af2da2e39289\"");
        await queryRunner.query("DROP TABLE \"discount_claim\"");
    }
}
