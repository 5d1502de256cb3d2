import { MigrationInterface, QueryRunner } from 'typeorm';

export class ZibalPayment1795914505854 implements MigrationInterface {
    name = 'ZibalPayment1795914505854';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"zibal_payment_attempt\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"trackId\" character varying(32) NOT NULL, \"orderId\" character varying(64) NOT NULL, \"orderCode\" character varying(64) NOT NULL, \"channelToken\" character varying(64) NOT NULL, \"paymentMethodCode\" character varying(64) NOT NULL, \"state\" character varying(16) NOT NULL, \"zibalStatus\" integer, \"refNumber\" character varying(64), \"maskedCardNumber\" character varying(32), \"paidAt\" character varying(40), \"claimToken\" character varying(64), \"claimExpiresAt\" bigint, \"paymentId\" character varying(64), \"history\" text NOT NULL, \"id\" SERIAL NOT NULL, \"amount\" bigint NOT NULL, CONSTRAINT \"PK_dec1675dab66aea4e5afb527b73\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_ebe0eb87a3191dea1f45c28a6c\" ON \"zibal_payment_attempt\" (\"trackId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_20322420f5c74ccc449dd72fb9\" ON \"zibal_payment_attempt\" (\"orderId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_5b22c4554ea3347ab1a1e54252\" ON \"zibal_payment_attempt\" (\"state\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"public\".\"IDX_5b22c4554ea3347ab1a1e54252\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_20322420f5c74ccc449dd72fb9\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_ebe0eb87a3191dea1f45c28a6c\"");
        await queryRunner.query("DROP TABLE \"zibal_payment_attempt\"");
    }
}
