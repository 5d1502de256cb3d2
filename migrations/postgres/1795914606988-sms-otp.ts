import { MigrationInterface, QueryRunner } from 'typeorm';

export class SmsOtp1795914606988 implements MigrationInterface {
    name = 'SmsOtp1795914606988';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"otp_challenge\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"phoneNumber\" character varying(11) NOT NULL, \"purpose\" character varying(8) NOT NULL, \"outcome\" character varying(12) NOT NULL, \"failureReason\" character varying(40), \"providerStatus\" integer, \"providerMessageId\" character varying(32), \"codeHash\" character varying(64) NOT NULL, \"expiresAt\" TIMESTAMP NOT NULL, \"attempts\" integer NOT NULL DEFAULT '0', \"consumed\" boolean NOT NULL DEFAULT false, \"id\" SERIAL NOT NULL, \"userId\" integer, CONSTRAINT \"PK_200fe6e81812616e7f97690cb21\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE INDEX \"IDX_57592c5f0cc28efaa8496ca7d4\" ON \"otp_challenge\" (\"phoneNumber\", \"purpose\", \"createdAt\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"public\".\"IDX_57592c5f0cc28efaa8496ca7d4\"");
        await queryRunner.query("DROP TABLE \"otp_challenge\"");
    }
}
