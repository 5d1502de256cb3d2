import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import type { TestShop } from '../../../src/testing/test-shop';
import { SmsOtpPlugin } from '../sms-otp.plugin';
import { SmsirOptions, SmsOtpPluginOptions } from '../types';

/** Re-initialises the plugin with test settings on top of the ones `vendure-config.ts` derived from AppConfig. */
export function withOtpOptions(
    overrides: Omit<Partial<SmsOtpPluginOptions>, 'smsir'> & { smsir?: Partial<SmsirOptions> },
) {
    return (config: VendureConfig): VendureConfig => {
        const base = SmsOtpPlugin.options;
        SmsOtpPlugin.init({ ...base, ...overrides, smsir: { ...base.smsir, ...overrides.smsir } });
        return config;
    };
}

export const REQUEST_LOGIN_OTP = gql`
    mutation ($phoneNumber: String!) {
        requestLoginOtp(phoneNumber: $phoneNumber) {
            __typename
            ... on RequestLoginOtpSuccess {
                resendAfterSeconds
                expiresInSeconds
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on InvalidPhoneNumberError {
                messageFa
            }
            ... on OtpRateLimitedError {
                reason
                retryAfterSeconds
                messageFa
            }
            ... on OtpProviderUnavailableError {
                retryAfterSeconds
                messageFa
            }
        }
    }
`;

export const AUTHENTICATE_OTP = gql`
    mutation ($input: SmsOtpAuthInput!) {
        authenticate(input: { smsOtp: $input }) {
            __typename
            ... on CurrentUser {
                id
                identifier
            }
            ... on InvalidCredentialsError {
                errorCode
                authenticationError
            }
        }
    }
`;

export const ACTIVE_CUSTOMER = gql`
    query {
        activeCustomer {
            id
            emailAddress
            phoneNumber
            firstName
            lastName
        }
    }
`;

export const LOGOUT = gql`
    mutation {
        logout {
            success
        }
    }
`;

export type RequestResult = {
    __typename: string;
    resendAfterSeconds?: number;
    expiresInSeconds?: number;
    errorCode?: string;
    message?: string;
    messageFa?: string;
    reason?: string;
    retryAfterSeconds?: number;
};

export async function requestCode(client: SimpleGraphQLClient, phoneNumber: string): Promise<RequestResult> {
    const { requestLoginOtp } = await client.query(REQUEST_LOGIN_OTP, { phoneNumber });
    return requestLoginOtp;
}

export async function login(
    client: SimpleGraphQLClient,
    input: { phoneNumber: string; code: string; firstName?: string; lastName?: string },
): Promise<{ __typename: string; id?: string; identifier?: string; authenticationError?: string }> {
    const { authenticate } = await client.query(AUTHENTICATE_OTP, { input });
    return authenticate;
}

/** Asks for a code and reads it from the simulator's inbox, like a shopper reading their SMS. */
export async function requestAndReadCode(
    t: TestShop,
    client: SimpleGraphQLClient,
    phone: string,
): Promise<string> {
    const before = t.simulators.smsir.inbox.length;
    const result = await requestCode(client, phone);
    if (result.__typename !== 'RequestLoginOtpSuccess') {
        throw new Error(`requestLoginOtp(${phone}) gave ${JSON.stringify(result)}`);
    }
    if (t.simulators.smsir.inbox.length !== before + 1) {
        throw new Error('expected exactly one SMS');
    }
    return t.simulators.smsir.inbox.at(-1)!.parameters.find(p => p.name === 'CODE')!.value;
}

/** A code that is certainly not `code`. */
export function wrongCode(code: string, n = 1): string {
    return String((Number(code) + n) % 1_000_000).padStart(6, '0');
}

let nextPhone = 1_000_000 + Math.floor(Math.random() * 8_000_000);
/** A fresh canonical number per call, so tests don't share cooldowns or codes. */
export function freshPhone(): string {
    nextPhone += 1;
    return `0912${String(nextPhone).padStart(7, '0')}`;
}
