import crypto from 'node:crypto';

import { ConfigService, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import type { TestShop } from './test-shop';

/** The password of every administrator {@link createStaffMember} makes. */
export const STAFF_PASSWORD = 'staff-password-1';

/**
 * For tests: an administrator of the default channel whose only role grants `permissions`, logged in on a new
 * Admin API client (`email` and {@link STAFF_PASSWORD} log in to the Admin UI too).
 */
export async function createStaffMember(
    t: TestShop,
    permissions: string[],
): Promise<{ id: string; email: string; client: SimpleGraphQLClient }> {
    const code = `staff-${crypto.randomBytes(4).toString('hex')}`;
    const { createRole } = await t.admin.query(
        gql`
            mutation ($code: String!, $permissions: [Permission!]!) {
                createRole(input: { code: $code, description: "test staff", permissions: $permissions }) {
                    id
                }
            }
        `,
        { code, permissions },
    );
    const email = `${code}@example.ir`;
    const { createAdministrator } = await t.admin.query(
        gql`
            mutation ($roleId: ID!, $email: String!) {
                createAdministrator(
                    input: {
                        firstName: "Test"
                        lastName: "Staff"
                        emailAddress: $email
                        password: "${STAFF_PASSWORD}"
                        roleIds: [$roleId]
                    }
                ) {
                    id
                }
            }
        `,
        { roleId: createRole.id, email },
    );
    const client = new SimpleGraphQLClient(
        t.server.app.get(ConfigService) as unknown as Required<VendureConfig>,
        `${t.baseUrl}/admin-api`,
    );
    await client.asUserWithCredentials(email, STAFF_PASSWORD);
    return { id: String(createAdministrator.id), email, client };
}
