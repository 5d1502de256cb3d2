import { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportChat1795917392901 implements MigrationInterface {
    name = 'SupportChat1795917392901';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("CREATE TABLE \"support_canned_reply\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"shortcut\" character varying(40) NOT NULL, \"title\" character varying(120) NOT NULL, \"body\" text NOT NULL, \"id\" SERIAL NOT NULL, CONSTRAINT \"PK_21f6c997cf71a2b075cdbd12c46\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_3f0ab4b084a12bda1d924ab849\" ON \"support_canned_reply\" (\"shortcut\") ");
        await queryRunner.query("CREATE TABLE \"support_conversation\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"guestKey\" character varying(64), \"status\" character varying(12) NOT NULL DEFAULT 'open', \"assignedAt\" TIMESTAMP, \"lastSeq\" integer NOT NULL DEFAULT '0', \"unreadByStaff\" integer NOT NULL DEFAULT '0', \"unreadByShopper\" integer NOT NULL DEFAULT '0', \"lastReadSeqStaff\" integer NOT NULL DEFAULT '0', \"lastReadSeqShopper\" integer NOT NULL DEFAULT '0', \"lastStaffSeq\" integer NOT NULL DEFAULT '0', \"notifiedStaffSeq\" integer NOT NULL DEFAULT '0', \"lastMessageAt\" TIMESTAMP, \"lastShopperMessageAt\" TIMESTAMP, \"lastStaffMessageAt\" TIMESTAMP, \"resolvedAt\" TIMESTAMP, \"id\" SERIAL NOT NULL, \"customerId\" integer, \"assigneeId\" integer, CONSTRAINT \"PK_51d9bf5b59cdc0048a2b2d91981\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE INDEX \"IDX_9a449c0b7240bfbcb270bc9854\" ON \"support_conversation\" (\"customerId\") ");
        await queryRunner.query("CREATE INDEX \"IDX_5f967c00c8e359188323d03a0a\" ON \"support_conversation\" (\"guestKey\") ");
        await queryRunner.query("CREATE INDEX \"IDX_66c58d24013fa397d6dc1cb7dd\" ON \"support_conversation\" (\"status\", \"assigneeId\") ");
        await queryRunner.query("CREATE TABLE \"support_message\" (\"createdAt\" TIMESTAMP NOT NULL DEFAULT now(), \"updatedAt\" TIMESTAMP NOT NULL DEFAULT now(), \"seq\" integer NOT NULL, \"senderType\" character varying(12) NOT NULL, \"senderId\" character varying(40), \"clientMessageId\" character varying(64) NOT NULL, \"body\" text NOT NULL, \"id\" SERIAL NOT NULL, \"conversationId\" integer NOT NULL, CONSTRAINT \"PK_ffc800a254f6e98e97d90fcefa8\" PRIMARY KEY (\"id\"))");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_a96866d22b616ed9923ac69e05\" ON \"support_message\" (\"conversationId\", \"clientMessageId\") ");
        await queryRunner.query("CREATE UNIQUE INDEX \"IDX_c764a5c56a01581cbee195c478\" ON \"support_message\" (\"conversationId\", \"seq\") ");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query("DROP INDEX \"public\".\"IDX_c764a5c56a01581cbee195c478\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_a96866d22b616ed9923ac69e05\"");
        await queryRunner.query("DROP TABLE \"support_message\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_66c58d24013fa397d6dc1cb7dd\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_5f967c00c8e359188323d03a0a\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_9a449c0b7240bfbcb270bc9854\"");
        await queryRunner.query("DROP TABLE \"support_conversation\"");
        await queryRunner.query("DROP INDEX \"public\".\"IDX_3f0ab4b084a12bda1d924ab849\"");
        await queryRunner.query("DROP TABLE \"support_canned_reply\"");
    }
}
