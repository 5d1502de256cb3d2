import { registerRouteComponent } from '@vendure/admin-ui/core';

import { SupportChatPageComponent } from './support-chat-page.component';

export default [
    registerRouteComponent({
        path: '',
        component: SupportChatPageComponent,
        title: 'support-chat.page-title',
        breadcrumb: 'support-chat.page-title',
    }),
];
