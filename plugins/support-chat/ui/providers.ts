import { addNavMenuSection, registerDashboardWidget, setDashboardWidgetLayout } from '@vendure/admin-ui/core';

import { SupportChatWaitingWidgetComponent } from './waiting-widget.component';

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
    registerDashboardWidget('supportChatWaiting', {
        title: 'support-chat.widget-title',
        supportedWidths: [4, 6, 8, 12],
        requiresPermissions: ['ManageSupportChat'],
        loadComponent: () => SupportChatWaitingWidgetComponent,
    }),
    // Vendure's default dashboard with the widget beside the order summary (a widget the administrator may not
    // see, for want of its permission, is left out).
    setDashboardWidgetLayout([
        { id: 'metrics', width: 12 },
        { id: 'supportChatWaiting', width: 4 },
        { id: 'orderSummary', width: 8 },
        { id: 'latestOrders', width: 12 },
    ]),
];
