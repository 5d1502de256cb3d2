import { MigrationInterface, QueryRunner } from 'typeorm';

export class DiscountRulesShippingMobile1795948696152 implements MigrationInterface {
    name = 'DiscountRulesShippingMobile1795948696152';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_124456e637cca7a415897dce65\"");
        await queryRunner.query("DROP INDEX \"IDX_af13739f4962eab899bdff34be\"");
        await queryRunner.query("DROP INDEX \"IDX_729b3eea7ce540930dbb706949\"");
        await queryRunner.query("DROP INDEX \"IDX_73a78d7df09541ac5eba620d18\"");
        await queryRunner.query("CREATE TABLE \"temporary_order\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"type\" varchar NOT NULL DEFAULT ('Regular'), \"code\" varchar NOT NULL, \"state\" varchar NOT NULL, \"active\" boolean NOT NULL DEFAULT (1), \"orderPlacedAt\" datetime, \"couponCodes\" text NOT NULL, \"shippingAddress\" text NOT NULL, \"billingAddress\" text NOT NULL, \"currencyCode\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"aggregateOrderId\" integer, \"customerId\" integer, \"taxZoneId\" integer, \"subTotal\" bigint NOT NULL, \"subTotalWithTax\" bigint NOT NULL, \"shipping\" bigint NOT NULL DEFAULT (0), \"shippingWithTax\" bigint NOT NULL DEFAULT (0), \"customFieldsShippingmobile\" varchar(255), CONSTRAINT \"FK_124456e637cca7a415897dce659\" FOREIGN KEY (\"customerId\") REFERENCES \"customer\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION, CONSTRAINT \"FK_73a78d7df09541ac5eba620d181\" FOREIGN KEY (\"aggregateOrderId\") REFERENCES \"order\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION)");
        await queryRunner.query("INSERT INTO \"temporary_order\"(\"createdAt\", \"updatedAt\", \"type\", \"code\", \"state\", \"active\", \"orderPlacedAt\", \"couponCodes\", \"shippingAddress\", \"billingAddress\", \"currencyCode\", \"id\", \"aggregateOrderId\", \"customerId\", \"taxZoneId\", \"subTotal\", \"subTotalWithTax\", \"shipping\", \"shippingWithTax\") SELECT \"createdAt\", \"updatedAt\", \"type\", \"code\", \"state\", \"active\", \"orderPlacedAt\", \"couponCodes\", \"shippingAddress\", \"billingAddress\", \"currencyCode\", \"id\", \"aggregateOrderId\", \"customerId\", \"taxZoneId\", \"subTotal\", \"subTotalWithTax\", \"shipping\", \"shippingWithTax\" FROM \"order\"");
        await queryRunner.query("DROP TABLE \"order\"");
        await queryRunner.query("ALTER TABLE \"temporary_order\" RENAME TO \"order\"");
        await queryRunner.query("CREATE INDEX \"IDX_124456e637cca7a415897dce65\" ON \"order\" (\"customerId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_af13739f4962eab899bdff34be\" ON \"order\" (\"orderPlacedAt\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_729b3eea7ce540930dbb706949\" ON \"order\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_73a78d7df09541ac5eba620d18\" ON \"order\" (\"aggregateOrderId\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_73a78d7df09541ac5eba620d18\"");
        await queryRunner.query("DROP INDEX \"IDX_729b3eea7ce540930dbb706949\"");
        await queryRunner.query("DROP INDEX \"IDX_af13739f4962eab899bdff34be\"");
        await queryRunner.query("DROP INDEX \"IDX_124456e637cca7a415897dce65\"");
        await queryRunner.query("ALTER TABLE \"order\" RENAME TO \"temporary_order\"");
        await queryRunner.query("CREATE TABLE \"order\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"type\" varchar NOT NULL DEFAULT ('Regular'), \"code\" varchar NOT NULL, \"state\" varchar NOT NULL, \"active\" boolean NOT NULL DEFAULT (1), \"orderPlacedAt\" datetime, \"couponCodes\" text NOT NULL, \"shippingAddress\" text NOT NULL, \"billingAddress\" text NOT NULL, \"currencyCode\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"aggregateOrderId\" integer, \"customerId\" integer, \"taxZoneId\" integer, \"subTotal\" bigint NOT NULL, \"subTotalWithTax\" bigint NOT NULL, \"shipping\" bigint NOT NULL DEFAULT (0), \"shippingWithTax\" bigint NOT NULL DEFAULT (0), CONSTRAINT \"FK_124456e637cca7a415897dce659\" FOREIGN KEY (\"customerId\") REFERENCES \"customer\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION, CONSTRAINT \"FK_73a78d7df09541ac5eba620d181\" FOREIGN KEY (\"aggregateOrderId\") REFERENCES \"order\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION)");
        await queryRunner.query("INSERT INTO \"order\"(\"createdAt\", \"updatedAt\", \"type\", \"code\", \"state\", \"active\", \"orderPlacedAt\", \"couponCodes\", \"shippingAddress\", \"billingAddress\", \"currencyCode\", \"id\", \"aggregateOrderId\", \"customerId\", \"taxZoneId\", \"subTotal\", \"subTotalWithTax\", \"shipping\", \"shippingWithTax\") SELECT \"createdAt\", \"updatedAt\", \"type\", \"code\", \"state\", \"active\", \"orderPlacedAt\", \"couponCodes\", \"shippingAddress\", \"billingAddress\", \"currencyCode\", \"id\", \"aggregateOrderId\", \"customerId\", \"taxZoneId\", \"subTotal\", \"subTotalWithTax\", \"shipping\", \"shippingWithTax\" FROM \"temporary_order\"");
        await queryRunner.query("DROP TABLE \"temporary_order\"");
        await queryRunner.query("CREATE INDEX \"IDX_73a78d7df09541ac5eba620d18\" ON \"order\" (\"aggregateOrderId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_729b3eea7ce540930dbb706949\" ON \"order\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_af13739f4962eab899bdff34be\" ON \"order\" (\"orderPlacedAt\") ");
        await queryRunner.query("CREATE INDEX \"IDX_124456e637cca7a415897dce65\" ON \"order\" (\"customerId\") ");
    }
}
