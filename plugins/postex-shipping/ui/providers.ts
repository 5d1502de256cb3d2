import { addNavMenuItem, registerFormInputComponent } from '@vendure/admin-ui/core';

import { PostexLabelLinkComponent } from './postex-label-link.component';

/** The id is the custom field's `ui.component` (POSTEX_LABEL_INPUT_ID in the plugin's constants.ts). */
export default [
    registerFormInputComponent('postex-label-link', PostexLabelLinkComponent),
    addNavMenuItem(
        {
            id: 'postex-parcels-attention',
            label: 'postex-shipping.nav-label',
            routerLink: ['/extensions', 'postex-parcels'],
            icon: 'truck',
            requiresPermission: 'ReadOrder',
        },
        'sales',
    ),
];
