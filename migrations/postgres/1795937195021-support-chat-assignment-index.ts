import { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportChatAssignmentIndex1795937195021 implements MigrationInterface {
    name = 'SupportChatAssignmentIndex1795937195021';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE INDEX \"IDX_72ed340ec5729f7e912462b736\" ON \"support_conversation\" (\"assigneeId\", \"assignedAt\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"public\".\"IDX_72ed340ec5729f7e912462b736\"");
    }
}
