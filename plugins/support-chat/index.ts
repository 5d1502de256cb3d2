export { SupportChatPlugin } from './support-chat.plugin';
export { manageSupportChatPermission, CHAT_NAMESPACE } from './constants';
export { SupportChatUnreadReplyEvent } from './service/support-chat.service';
export type { ConversationPayload, MessagePayload } from './service/support-chat.service';
export { SupportConversation } from './entities/support-conversation.entity';
export { SupportMessage } from './entities/support-message.entity';
export { SupportCannedReply } from './entities/support-canned-reply.entity';
export * from './types';
export { supportChatUnreadReplyEmailHandler } from './config/unread-reply-email.handler';
