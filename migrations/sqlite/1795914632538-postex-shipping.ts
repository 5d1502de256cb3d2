import { MigrationInterface, QueryRunner } from 'typeorm';

export class PostexShipping1795914632538 implements MigrationInterface {
    name = 'PostexShipping1795914632538';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"postex_province\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"code\" integer NOT NULL, \"name\" varchar NOT NULL, \"normalizedName\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL)");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_283e7f7b1833f6acb56ef72fa2\" ON \"postex_province\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_075ab8f9bbf71ab62a8a3663ee\" ON \"postex_province\" (\"normalizedName\") ");
        await queryRunner.query("CREATE TABLE \"postex_city\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"code\" integer NOT NULL, \"name\" varchar NOT NULL, \"normalizedName\" varchar NOT NULL, \"provinceCode\" integer NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL)");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_391d846da48a78d2980b89e26f\" ON \"postex_city\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_dda075ff7c8207067cd57c4e1d\" ON \"postex_city\" (\"normalizedName\") ");
        await queryRunner.query("CREATE INDEX \"IDX_0f58b0f947e9cda6fb307e0ef8\" ON \"postex_city\" (\"provinceCode\") ");
        await queryRunner.query("CREATE TABLE \"temporary_fulfillment\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"state\" varchar NOT NULL, \"trackingCode\" varchar NOT NULL DEFAULT (''), \"method\" varchar NOT NULL, \"handlerCode\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"customFieldsPostexparcelno\" varchar(255), \"customFieldsPostexstatus\" varchar(255), \"customFieldsPostexlabelurl\" varchar(255))");
        await queryRunner.query("INSERT INTO \"temporary_fulfillment\"(\"createdAt\", \"updatedAt\", \"state\", \"trackingCode\", \"method\", \"handlerCode\", \"id\") SELECT \"createdAt\", \"updatedAt\", \"state\", \"trackingCode\", \"method\", \"handlerCode\", \"id\" FROM \"fulfillment\"");
        await queryRunner.query("DROP TABLE \"fulfillment\"");
        await queryRunner.query("ALTER TABLE \"temporary_fulfillment\" RENAME TO \"fulfillment\"");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"fulfillment\" RENAME TO \"temporary_fulfillment\"");
        await queryRunner.query("CREATE TABLE \"fulfillment\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"state\" varchar NOT NULL, \"trackingCode\" varchar NOT NULL DEFAULT (''), \"method\" varchar NOT NULL, \"handlerCode\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL)");
        await queryRunner.query("INSERT INTO \"fulfillment\"(\"createdAt\", \"updatedAt\", \"state\", \"trackingCode\", \"method\", \"handlerCode\", \"id\") SELECT \"createdAt\", \"updatedAt\", \"state\", \"trackingCode\", \"method\", \"handlerCode\", \"id\" FROM \"temporary_fulfillment\"");
        await queryRunner.query("DROP TABLE \"temporary_fulfillment\"");
        await queryRunner.query("DROP INDEX \"IDX_0f58b0f947e9cda6fb307e0ef8\"");
        await queryRunner.query("DROP INDEX \"IDX_dda075ff7c8207067cd57c4e1d\"");
        await queryRunner.query("DROP INDEX \"IDX_391d846da48a78d2980b89e26f\"");
        await queryRunner.query("DROP TABLE \"postex_city\"");
        await queryRunner.query("DROP INDEX \"IDX_075ab8f9bbf71ab62a8a3663ee\"");
        await queryRunner.query("DROP INDEX \"IDX_283e7f7b1833f6acb56ef72fa2\"");
        await queryRunner.query("DROP TABLE \"postex_province\"");
    }
}
