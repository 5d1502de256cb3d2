import crypto from 'node:crypto';

import { ConfigService, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import type { TestShop } from './test-shop';

/** The password of the test shops' staff accounts (this process's own; a credential is never a literal). */
export const STAFF_PASSWORD = `staff-${crypto.randomBytes(12).toString('hex')}`;

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
            mutation ($roleId: ID!, $email: String!, $password: String!) {
                createAdministrator(
                    input: {
                        firstName: "Test"
                        lastName: "Staff"
                        emailAddress: $email
                        password: $password
                        roleIds: [$roleId]
                    }
                ) {
                    id
                }
            }
        `,
        { roleId: createRole.id, email, password: STAFF_PASSWORD },
    );
    const client = new SimpleGraphQLClient(
        t.server.app.get(ConfigService) as unknown as Required<VendureConfig>,
        `${t.baseUrl}/admin-api`,
    );
    await client.asUserWithCredentials(email, STAFF_PASSWORD);
    return { id: String(createAdministrator.id), email, client };
}
