import { addNavMenuItem } from '@vendure/admin-ui/core';

export default [
    addNavMenuItem(
        {
            id: 'support-chat',
            label: 'support-chat.nav-label',
            routerLink: ['/extensions', 'support-chat'],
            icon: 'chat-bubble',
            requiresPermission: 'ManageSupportChat',
        },
        'sales',
    ),
];
