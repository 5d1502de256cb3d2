import { MigrationInterface, QueryRunner } from 'typeorm';

import { convertMoney } from '../money-minor-units';

/** Amounts were whole Rials; they become Rial x 100 (Vendure's minor units). See migrations/money-minor-units.ts. */
export class MoneyMinorUnits1796188719001 implements MigrationInterface {
    name = 'MoneyMinorUnits1796188719001';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await convertMoney(queryRunner, 'up');
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await convertMoney(queryRunner, 'down');
    }
}
