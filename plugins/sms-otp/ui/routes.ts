import { registerRouteComponent } from '@vendure/admin-ui/core';

import { SmsLoginPageComponent } from './sms-login-page.component';

export default [
    registerRouteComponent({
        path: '',
        component: SmsLoginPageComponent,
        title: 'sms-otp.page-title',
        breadcrumb: 'sms-otp.page-title',
    }),
];
