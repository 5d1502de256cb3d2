import { MigrationInterface, QueryRunner } from 'typeorm';

export class SmsOtpVerifiedMobile1795953241973 implements MigrationInterface {
    name = 'SmsOtpVerifiedMobile1795953241973';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"temporary_customer\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"deletedAt\" datetime, \"title\" varchar, \"firstName\" varchar NOT NULL, \"lastName\" varchar NOT NULL, \"phoneNumber\" varchar, \"emailAddress\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"userId\" integer, \"customFieldsVerifiedmobile\" varchar(255), CONSTRAINT \"REL_3f62b42ed23958b120c235f74d\" UNIQUE (\"userId\"), CONSTRAINT \"FK_3f62b42ed23958b120c235f74df\" FOREIGN KEY (\"userId\") REFERENCES \"user\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION)");
        await queryRunner.query("INSERT INTO \"temporary_customer\"(\"createdAt\", \"updatedAt\", \"deletedAt\", \"title\", \"firstName\", \"lastName\", \"phoneNumber\", \"emailAddress\", \"id\", \"userId\") SELECT \"createdAt\", \"updatedAt\", \"deletedAt\", \"title\", \"firstName\", \"lastName\", \"phoneNumber\", \"emailAddress\", \"id\", \"userId\" FROM \"customer\"");
        await queryRunner.query("DROP TABLE \"customer\"");
        await queryRunner.query("ALTER TABLE \"temporary_customer\" RENAME TO \"customer\"");
        // Written by hand: customers who verified a number before this field existed get it from their SMS login.
        await queryRunner.query(
            "UPDATE \"customer\" SET \"customFieldsVerifiedmobile\" = (SELECT m.\"externalIdentifier\" FROM \"authentication_method\" m WHERE m.\"userId\" = \"customer\".\"userId\" AND m.\"type\" = 'ExternalAuthenticationMethod' AND m.\"strategy\" = 'smsOtp' LIMIT 1) WHERE \"userId\" IS NOT NULL",
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"customer\" RENAME TO \"temporary_customer\"");
        await queryRunner.query("CREATE TABLE \"customer\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"deletedAt\" datetime, \"title\" varchar, \"firstName\" varchar NOT NULL, \"lastName\" varchar NOT NULL, \"phoneNumber\" varchar, \"emailAddress\" varchar NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"userId\" integer, CONSTRAINT \"REL_3f62b42ed23958b120c235f74d\" UNIQUE (\"userId\"), CONSTRAINT \"FK_3f62b42ed23958b120c235f74df\" FOREIGN KEY (\"userId\") REFERENCES \"user\" (\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION)");
        await queryRunner.query("INSERT INTO \"customer\"(\"createdAt\", \"updatedAt\", \"deletedAt\", \"title\", \"firstName\", \"lastName\", \"phoneNumber\", \"emailAddress\", \"id\", \"userId\") SELECT \"createdAt\", \"updatedAt\", \"deletedAt\", \"title\", \"firstName\", \"lastName\", \"phoneNumber\", \"emailAddress\", \"id\", \"userId\" FROM \"temporary_customer\"");
        await queryRunner.query("DROP TABLE \"temporary_customer\"");
    }
}
