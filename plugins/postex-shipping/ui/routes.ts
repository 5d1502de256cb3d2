import { registerRouteComponent } from '@vendure/admin-ui/core';

import { PostexParcelsPageComponent } from './postex-parcels-page.component';

export default [
    registerRouteComponent({
        path: '',
        component: PostexParcelsPageComponent,
        title: 'postex-shipping.page-title',
        breadcrumb: 'postex-shipping.page-title',
    }),
];
