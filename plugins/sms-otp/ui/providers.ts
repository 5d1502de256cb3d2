import { addNavMenuItem } from '@vendure/admin-ui/core';

export default [
    addNavMenuItem(
        {
            id: 'sms-login',
            label: 'sms-otp.nav-label',
            routerLink: ['/extensions', 'sms-login'],
            icon: 'mobile',
            requiresPermission: 'ReadOtpLog',
        },
        'customers',
    ),
];
