import { MigrationInterface, QueryRunner } from 'typeorm';

export class DiscountRulesShippingMobile1795948696972 implements MigrationInterface {
    name = 'DiscountRulesShippingMobile1795948696972';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"order\" ADD \"customFieldsShippingmobile\" character varying(255)");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("ALTER TABLE \"order\" DROP COLUMN \"customFieldsShippingmobile\"");
    }
}
