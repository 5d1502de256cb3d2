import { MigrationInterface, QueryRunner } from 'typeorm';

export class PostexShipping1795914633813 implements MigrationInterface {
    name = 'PostexShipping1795914633813';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"postex_province\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"code\" integer NOT NULL, \"name\" character varying NOT NULL, \"normalizedName\" character varying NOT NULL, \"id\" SERIAL NOT NULL, CONSTRAINT \"PK_0222ecf3a5af256f14a12745d22\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_283e7f7b1833f6acb56ef72fa2\" ON \"postex_province\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_075ab8f9bbf71ab62a8a3663ee\" ON \"postex_province\" (\"normalizedName\") ");
        await queryRunner.query("CREATE TABLE \"postex_city\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"code\" integer NOT NULL, \"name\" character varying NOT NULL, \"normalizedName\" character varying NOT NULL, \"provinceCode\" integer NOT NULL, \"id\" SERIAL NOT NULL, CONSTRAINT \"PK_173241c02960ed27ccd5f4daae7\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_391d846da48a78d2980b89e26f\" ON \"postex_city\" (\"code\") ");
        await queryRunner.query("CREATE INDEX \"IDX_dda075ff7c8207067cd57c4e1d\" ON \"postex_city\" (\"normalizedName\") ");
        await queryRunner.query("CREATE INDEX \"IDX_0f58b0f947e9cda6fb307e0ef8\" ON \"postex_city\" (\"provinceCode\") ");
        await queryRunner.query("ALTER TABLE \"fulfillment\" ADD \"customFieldsPostexparcelno\" character varying(255)");
        await queryRunner.query("ALTER TABLE \"fulfillment\" ADD \"customFieldsPostexstatus\" character varying(255)");
        await queryRunner.query("ALTER TABLE \"fulfillment\" ADD \"customFieldsPostexlabelurl\" character varying(255)");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"fulfillment\" DROP COLUMN \"customFieldsPostexlabelurl\"");
        await queryRunner.query("ALTER TABLE \"fulfillment\" DROP COLUMN \"customFieldsPostexstatus\"");
        await queryRunner.query("ALTER TABLE \"fulfillment\" DROP COLUMN \"customFieldsPostexparcelno\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_0f58b0f947e9cda6fb307e0ef8\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_dda075ff7c8207067cd57c4e1d\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_391d846da48a78d2980b89e26f\"");
        await queryRunner.query("DROP TABLE \"postex_city\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_075ab8f9bbf71ab62a8a3663ee\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_283e7f7b1833f6acb56ef72fa2\"");
        await queryRunner.query("DROP TABLE \"postex_province\"");
    }
}
