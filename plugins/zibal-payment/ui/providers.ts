import { addNavMenuItem, registerCustomDetailComponent } from '@vendure/admin-ui/core';

import { ZibalOrderPanelComponent } from './zibal-order-panel.component';

export default [
    addNavMenuItem(
        {
            id: 'zibal-payments-attention',
            label: 'zibal-payment.nav-label',
            routerLink: ['/extensions', 'zibal-payments'],
            icon: 'credit-card',
            requiresPermission: 'ReadOrder',
        },
        'sales',
    ),
    // The order page: the order's Zibal attempts, readable (instead of the payments' raw metadata).
    registerCustomDetailComponent({ locationId: 'order-detail', component: ZibalOrderPanelComponent }),
];
