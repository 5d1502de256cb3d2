import { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportChat1795917390160 implements MigrationInterface {
    name = 'SupportChat1795917390160';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"support_canned_reply\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"shortcut\" varchar(40) NOT NULL, \"title\" varchar(120) NOT NULL, \"body\" text NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL)");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_3f0ab4b084a12bda1d924ab849\" ON \"support_canned_reply\" (\"shortcut\") ");
        await queryRunner.query("CREATE TABLE \"support_conversation\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"guestKey\" varchar(64), \"status\" varchar(12) NOT NULL DEFAULT ('open'), \"assignedAt\" datetime, \"lastSeq\" integer NOT NULL DEFAULT (0), \"unreadByStaff\" integer NOT NULL DEFAULT (0), \"unreadByShopper\" integer NOT NULL DEFAULT (0), \"lastReadSeqStaff\" integer NOT NULL DEFAULT (0), \"lastReadSeqShopper\" integer NOT NULL DEFAULT (0), \"lastStaffSeq\" integer NOT NULL DEFAULT (0), \"notifiedStaffSeq\" integer NOT NULL DEFAULT (0), \"lastMessageAt\" datetime, \"lastShopperMessageAt\" datetime, \"lastStaffMessageAt\" datetime, \"resolvedAt\" datetime, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"customerId\" integer, \"assigneeId\" integer)");
        await queryRunner.query("CREATE INDEX \"IDX_9a449c0b7240bfbcb270bc9854\" ON \"support_conversation\" (\"customerId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_5f967c00c8e359188323d03a0a\" ON \"support_conversation\" (\"guestKey\") ");
        await queryRunner.query("CREATE INDEX \"IDX_66c58d24013fa397d6dc1cb7dd\" ON \"support_conversation\" (\"status\", \"assigneeId\") ");
        await queryRunner.query("CREATE TABLE \"support_message\" (\"createdAt\" datetime NOT NULL DEFAULT (datetime('now')), \"updatedAt\" datetime NOT NULL DEFAULT (datetime('now')), \"seq\" integer NOT NULL, \"senderType\" varchar(12) NOT NULL, \"senderId\" varchar(40), \"clientMessageId\" varchar(64) NOT NULL, \"body\" text NOT NULL, \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"conversationId\" integer NOT NULL)");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_a96866d22b616ed9923ac69e05\" ON \"support_message\" (\"conversationId\", \"clientMessageId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_c764a5c56a01581cbee195c478\" ON \"support_message\" (\"conversationId\", \"seq\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"IDX_c764a5c56a01581cbee195c478\"");
        await queryRunner.query("DROP INDEX \"IDX_a96866d22b616ed9923ac69e05\"");
        await queryRunner.query("DROP TABLE \"support_message\"");
        await queryRunner.query("DROP INDEX \"IDX_66c58d24013fa397d6dc1cb7dd\"");
        await queryRunner.query("DROP INDEX \"IDX_5f967c00c8e359188323d03a0a\"");
        await queryRunner.query("DROP INDEX \"IDX_9a449c0b7240bfbcb270bc9854\"");
        await queryRunner.query("DROP TABLE \"support_conversation\"");
        await queryRunner.query("DROP INDEX \"IDX_3f0ab4b084a12bda1d924ab849\"");
        await queryRunner.query("DROP TABLE \"support_canned_reply\"");
    }
}
