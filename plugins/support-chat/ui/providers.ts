import { addNavMenuSection } from '@vendure/admin-ui/core';

/**
 * A section of its own (before Sales): Vendure's sections carry their own permissions (Sales needs ReadOrder),
 * and staff who only answer the chat must still see the entry.
 */
export default [
    addNavMenuSection(
        {
            id: 'support',
            label: 'support-chat.nav-section',
            requiresPermission: 'ManageSupportChat',
            items: [
                {
                    id: 'support-chat',
                    label: 'support-chat.nav-label',
                    routerLink: ['/extensions', 'support-chat'],
                    icon: 'chat-bubble',
                    requiresPermission: 'ManageSupportChat',
                },
            ],
        },
        'sales',
    ),
];
