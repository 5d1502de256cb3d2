import { MigrationInterface, QueryRunner } from 'typeorm';

export class DiscountRulesClaims1796189057360 implements MigrationInterface {
    name = 'DiscountRulesClaims1796189057360';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"discount_claim\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"scope\" character varying(64) NOT NULL, \"identityKind\" character varying(16) NOT NULL, \"identityHash\" character varying(64) NOT NULL, \"slot\" integer NOT NULL, \"id\" SERIAL NOT NULL, \"orderId\" integer NOT NULL, CONSTRAINT \"PK_91859696399e721c38057ff0c30\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE INDEX \"IDX_2b901f012fb232af2da2e39289\" ON \"discount_claim\" (\"orderId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_43ecd2d237b0c3117b841e7c5a\" ON \"discount_claim\" (\"scope\", \"identityHash\", \"slot\") ");
        await queryRunner.query("ALTER TABLE \"discount_claim\" ADD CONSTRAINT \"FK_2b901f012fb232af2da2e392893\" FOREIGN KEY (\"orderId\") REFERENCES \"order\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"discount_claim\" DROP CONSTRAINT \"FK_2b901f012fb232af2da2e392893\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_43ecd2d237b0c3117b841e7c5a\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_2b901f012fb232af2da2e39289\"");
        await queryRunner.query("DROP TABLE \"discount_claim\"");
    }
}
