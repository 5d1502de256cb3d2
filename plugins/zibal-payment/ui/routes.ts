import { registerRouteComponent } from '@vendure/admin-ui/core';

import { ZibalPaymentsPageComponent } from './zibal-payments-page.component';

export default [
    registerRouteComponent({
        path: '',
        component: ZibalPaymentsPageComponent,
        title: 'zibal-payment.page-title',
        breadcrumb: 'zibal-payment.page-title',
    }),
];
