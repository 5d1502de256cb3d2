import gql from 'graphql-tag';

const shared = gql`
    enum SupportConversationStatus {
        open
        resolved
    }

    type SupportConversation implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        status: SupportConversationStatus!
        customerId: ID
        isGuest: Boolean!
        assigneeId: ID
        "The seq of the newest message."
        lastSeq: Int!
        unreadByStaff: Int!
        unreadByShopper: Int!
        lastReadSeqStaff: Int!
        lastReadSeqShopper: Int!
        lastMessageAt: DateTime
    }

    type SupportMessage implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        conversationId: ID!
        "Grows by one within the conversation."
        seq: Int!
        senderType: String!
        senderId: ID
        clientMessageId: String!
        "Plain text: show it as text, never as HTML."
        body: String!
    }

    type SupportMessageList {
        items: [SupportMessage!]!
        hasMore: Boolean!
    }

    type SupportChatError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        "For shoppers: the same message in Persian."
        messageFa: String!
        "INVALID_PAYLOAD, MESSAGE_EMPTY, MESSAGE_TOO_LONG, RATE_LIMITED, TOO_MANY_OPEN_CONVERSATIONS, NOT_FOUND, FORBIDDEN"
        reason: String!
    }

    type SendSupportMessageSuccess {
        message: SupportMessage!
        conversation: SupportConversation!
        "True when this clientMessageId was already stored: the stored message is returned."
        duplicate: Boolean!
    }

    union SendSupportMessageResult = SendSupportMessageSuccess | SupportChatError

    input SendSupportMessageInput {
        "Omit (shop) to write in the latest conversation, or start one."
        conversationId: ID
        "The client's id of the message (1-64 of A-Za-z0-9_.:-); a re-send with the same id stores nothing new."
        clientMessageId: String!
        body: String!
    }

    input SupportMessagePage {
        afterSeq: Int
        beforeSeq: Int
        take: Int
    }
`;

export const shopApiExtensions = gql`
    ${shared}
    extend type Query {
        "The current shopper's conversations (customer, or guest with an anonymous session), newest first."
        supportConversations: [SupportConversation!]!
        supportMessages(conversationId: ID!, page: SupportMessagePage): SupportMessageList!
    }

    extend type Mutation {
        sendSupportMessage(input: SendSupportMessageInput!): SendSupportMessageResult!
    }
`;

export const adminApiExtensions = gql`
    ${shared}
    type SupportConversationList {
        items: [SupportConversation!]!
        totalItems: Int!
    }

    type SupportCannedReply implements Node {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        shortcut: String!
        title: String!
        body: String!
    }

    input SupportConversationFilter {
        status: SupportConversationStatus
        assigneeId: ID
        unassigned: Boolean
        "Only conversations with messages unread by staff."
        unread: Boolean
        skip: Int
        take: Int
    }

    input CreateSupportCannedReplyInput {
        shortcut: String!
        title: String!
        body: String!
    }

    input UpdateSupportCannedReplyInput {
        id: ID!
        shortcut: String
        title: String
        body: String
    }

    extend type SupportConversation {
        "The shopper; null for a guest."
        customer: Customer
        "The staff member the conversation is assigned to."
        assignee: Administrator
    }

    "Open conversations whose shopper waits for a reply (wrote after the last staff message), for the dashboard."
    type SupportChatWaiting {
        count: Int!
        "When the longest-waiting shopper's first unanswered message was sent; null when nobody waits"
        oldestWaitingSince: DateTime
        "Seconds since oldestWaitingSince (0 when nobody waits)"
        longestWaitSeconds: Int!
    }

    extend type Query {
        "Shoppers waiting for a reply and the longest wait (ManageSupportChat)."
        supportChatWaiting: SupportChatWaiting!
        "Waiting shoppers first (unread by staff, longest waiting)."
        supportConversations(filter: SupportConversationFilter): SupportConversationList!
        supportConversation(id: ID!): SupportConversation
        supportMessages(conversationId: ID!, page: SupportMessagePage): SupportMessageList!
        supportCannedReplies: [SupportCannedReply!]!
    }

    extend type Mutation {
        sendSupportMessage(input: SendSupportMessageInput!): SendSupportMessageResult!
        "administratorId null unassigns."
        assignSupportConversation(conversationId: ID!, administratorId: ID): SupportConversation!
        resolveSupportConversation(conversationId: ID!): SupportConversation!
        reopenSupportConversation(conversationId: ID!): SupportConversation!
        markSupportConversationRead(conversationId: ID!, seq: Int!): SupportConversation!
        createSupportCannedReply(input: CreateSupportCannedReplyInput!): SupportCannedReply!
        updateSupportCannedReply(input: UpdateSupportCannedReplyInput!): SupportCannedReply!
        deleteSupportCannedReply(id: ID!): Boolean!
    }
`;
