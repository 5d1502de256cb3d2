import { MigrationInterface, QueryRunner } from 'typeorm';

export class SmsOtpVerifiedMobile1795953243063 implements MigrationInterface {
    name = 'SmsOtpVerifiedMobile1795953243063';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"customer\" ADD \"customFieldsVerifiedmobile\" character varying(255)");
        // Written by hand: customers who verified a number before this field existed get it from their SMS login.
        await queryRunner.query(
            "UPDATE \"customer\" c SET \"customFieldsVerifiedmobile\" = m.\"externalIdentifier\" FROM \"authentication_method\" m WHERE m.\"userId\" = c.\"userId\" AND m.\"type\" = 'ExternalAuthenticationMethod' AND m.\"strategy\" = 'smsOtp'",
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"customer\" DROP COLUMN \"customFieldsVerifiedmobile\"");
    }
}
