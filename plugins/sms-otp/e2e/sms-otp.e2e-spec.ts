import { ConfigService, Logger, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { SmsOtpService } from '../service/sms-otp.service';

import {
    ACTIVE_CUSTOMER,
    freshPhone,
    login,
    LOGOUT,
    requestAndReadCode,
    requestCode,
    withOtpOptions,
    wrongCode,
} from './otp-fixtures';

let clockOffsetMs = 0;

describe(`SMS OTP login (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            adjustConfig: withOtpOptions({
                now: () => Date.now() + clockOffsetMs,
                // The caps have their own test file; here many numbers are asked for from one IP.
                caps: {
                    ip: { hourly: 10_000, daily: 10_000 },
                    network: { hourly: 10_000, daily: 10_000 },
                    global: { hourly: 10_000, daily: 10_000 },
                },
                smsir: { requestTimeoutMs: 3_000 },
            }),
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    beforeEach(() => {
        clockOffsetMs = 0;
        t.simulators.smsir.faults.reset();
    });

    it('signs a new shopper up on the first login and logs them into the same account later', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const sent = await requestCode(shop, phone);
        expect(sent).toEqual({
            __typename: 'RequestLoginOtpSuccess',
            resendAfterSeconds: 60,
            expiresInSeconds: 120,
        });
        const message = t.simulators.smsir.lastMessageTo(phone)!;
        expect(message.templateId).toBe(123456);
        expect(message.parameters).toEqual([{ name: 'CODE', value: expect.stringMatching(/^\d{6}$/) }]);

        const first = await login(shop, {
            phoneNumber: phone,
            code: message.parameters[0].value,
            firstName: 'سارا',
            lastName: 'احمدی',
        });
        expect(first).toMatchObject({ __typename: 'CurrentUser', identifier: phone });
        const { activeCustomer } = await shop.query(ACTIVE_CUSTOMER);
        expect(activeCustomer).toMatchObject({
            phoneNumber: phone,
            firstName: 'سارا',
            lastName: 'احمدی',
            emailAddress: `${phone}@phone.invalid`,
        });
        await shop.query(LOGOUT);

        // Later: another device, the number typed differently.
        const other = t.newShopClient();
        const spaced = `+98 ${phone.slice(1, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
        clockOffsetMs = 0;
        await t.simulators.smsir.faults.reset();
        const code = await requestAndReadCodeAfterCooldown(t, other, spaced, phone);
        // Codes typed with Persian digits are accepted too.
        const again = await login(other, { phoneNumber: phone, code: toDigits(code, 0x06f0) });
        expect(again).toMatchObject({ __typename: 'CurrentUser', id: first.id, identifier: phone });
        const second = await other.query(ACTIVE_CUSTOMER);
        expect(second.activeCustomer.id).toBe(activeCustomer.id);

        // Support sees the number on the customer.
        const { customers } = await t.admin.query(
            gql`
                query ($phone: String!) {
                    customers(options: { filter: { phoneNumber: { eq: $phone } } }) {
                        totalItems
                        items {
                            id
                            phoneNumber
                            user {
                                identifier
                                verified
                            }
                        }
                    }
                }
            `,
            { phone },
        );
        expect(customers.totalItems).toBe(1);
        expect(customers.items[0]).toMatchObject({
            id: activeCustomer.id,
            phoneNumber: phone,
            user: { identifier: phone, verified: true },
        });
        expect(await verifiedMobileOf(activeCustomer.id)).toBe(phone);

        // The contact phone is the customer's to edit; the verified mobile support sees is not.
        const { updateCustomer } = await other.query(gql`
            mutation {
                updateCustomer(input: { phoneNumber: "02188776655" }) {
                    phoneNumber
                }
            }
        `);
        expect(updateCustomer.phoneNumber).toBe('02188776655');
        expect(await verifiedMobileOf(activeCustomer.id)).toBe(phone);
    });

    async function verifiedMobileOf(customerId: string): Promise<string | null> {
        const { customer } = await t.admin.query(
            gql`
                query ($id: ID!) {
                    customer(id: $id) {
                        customFields {
                            verifiedMobile
                        }
                    }
                }
            `,
            { id: customerId },
        );
        return customer.customFields.verifiedMobile;
    }

    it('normalises the formats people type to one canonical number and rejects the rest', async () => {
        const shop = t.newShopClient();
        const table: Array<[(digits: string) => string, boolean]> = [
            [d => `0${d}`, true],
            [d => `+98${d}`, true],
            [d => `0098${d}`, true],
            [d => `98${d}`, true],
            [d => d, true],
            [d => `0${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, true],
            [d => `+98-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, true],
            [d => toDigits(`0${d}`, 0x06f0), true],
            [d => toDigits(`0${d}`, 0x0660), true],
            [d => `0${d.slice(0, 9)}`, false],
            [d => `0${d}1`, false],
            [() => '02112345678', false],
            [() => '+1 555 123 4567', false],
            [() => 'not a number', false],
            [() => '', false],
        ];
        for (const [format, valid] of table) {
            const canonical = freshPhone();
            const typed = format(canonical.slice(1));
            const before = t.simulators.smsir.inbox.length;
            const result = await requestCode(shop, typed);
            if (valid) {
                expect(result.__typename, typed).toBe('RequestLoginOtpSuccess');
                expect(t.simulators.smsir.inbox.at(-1)!.mobile, typed).toBe(canonical);
            } else {
                expect(result, typed).toMatchObject({
                    __typename: 'InvalidPhoneNumberError',
                    errorCode: 'INVALID_PHONE_NUMBER_ERROR',
                    messageFa: expect.stringContaining('موبایل'),
                });
                expect(t.simulators.smsir.inbox.length, typed).toBe(before);
            }
        }
    });

    it('kills a code after 5 wrong tries, even for the right code afterwards', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const code = await requestAndReadCode(t, shop, phone);
        const reasons: string[] = [];
        for (let i = 1; i <= 5; i++) {
            const result = await login(shop, { phoneNumber: phone, code: wrongCode(code, i) });
            expect(result.__typename).toBe('InvalidCredentialsError');
            reasons.push(result.authenticationError!);
        }
        expect(reasons).toEqual([
            'OTP_INVALID',
            'OTP_INVALID',
            'OTP_INVALID',
            'OTP_INVALID',
            'OTP_ATTEMPTS_EXCEEDED',
        ]);
        const right = await login(shop, { phoneNumber: phone, code });
        expect(right).toMatchObject({
            __typename: 'InvalidCredentialsError',
            authenticationError: 'OTP_ATTEMPTS_EXCEEDED',
        });
        const { activeCustomer } = await shop.query(ACTIVE_CUSTOMER);
        expect(activeCustomer).toBeNull();
    });

    it('accepts the right code on the fifth try', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const code = await requestAndReadCode(t, shop, phone);
        for (let i = 1; i <= 4; i++) {
            expect((await login(shop, { phoneNumber: phone, code: wrongCode(code, i) })).__typename).toBe(
                'InvalidCredentialsError',
            );
        }
        expect(await login(shop, { phoneNumber: phone, code })).toMatchObject({ __typename: 'CurrentUser' });
    });

    it('refuses a code after its lifetime', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const code = await requestAndReadCode(t, shop, phone);
        clockOffsetMs = 121_000;
        const late = await login(shop, { phoneNumber: phone, code });
        expect(late).toMatchObject({
            __typename: 'InvalidCredentialsError',
            authenticationError: 'OTP_EXPIRED',
        });
        clockOffsetMs = 0;
        // Still valid just before the end: the expiry, not something else, refused it.
        const phone2 = freshPhone();
        const code2 = await requestAndReadCode(t, shop, phone2);
        clockOffsetMs = 115_000;
        expect(await login(shop, { phoneNumber: phone2, code: code2 })).toMatchObject({
            __typename: 'CurrentUser',
        });
    });

    it('accepts a code only once', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const code = await requestAndReadCode(t, shop, phone);
        expect(await login(shop, { phoneNumber: phone, code })).toMatchObject({ __typename: 'CurrentUser' });
        await shop.query(LOGOUT);
        const reuse = await login(shop, { phoneNumber: phone, code });
        expect(reuse).toMatchObject({
            __typename: 'InvalidCredentialsError',
            authenticationError: 'OTP_INVALID',
        });
    });

    it('only checks the latest code sent to a number', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const first = await requestAndReadCode(t, shop, phone);
        const second = await requestAndReadCodeAfterCooldown(t, shop, phone, phone);
        if (first !== second) {
            expect(await login(shop, { phoneNumber: phone, code: first })).toMatchObject({
                authenticationError: 'OTP_INVALID',
            });
        }
        expect(await login(shop, { phoneNumber: phone, code: second })).toMatchObject({
            __typename: 'CurrentUser',
        });
    });

    it('makes a number wait 60 seconds before another code', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        await requestAndReadCode(t, shop, phone);
        const again = await requestCode(shop, `+98${phone.slice(1)}`);
        expect(again).toMatchObject({
            __typename: 'OtpRateLimitedError',
            errorCode: 'OTP_RATE_LIMITED_ERROR',
            reason: 'COOLDOWN',
        });
        expect(again.retryAfterSeconds).toBeGreaterThan(55);
        expect(again.retryAfterSeconds).toBeLessThanOrEqual(60);
        expect(t.simulators.smsir.inbox.filter(m => m.mobile === phone)).toHaveLength(1);
    });

    it('creates one session when two logins race with the same code', async () => {
        const phone = freshPhone();
        const code = await requestAndReadCode(t, t.newShopClient(), phone);
        const clients = Array.from({ length: 6 }, () => t.newShopClient());
        const results = await Promise.all(clients.map(c => login(c, { phoneNumber: phone, code })));
        const winners = results.filter(r => r.__typename === 'CurrentUser');
        expect(winners).toHaveLength(1);
        expect(results.filter(r => r.authenticationError === 'OTP_INVALID')).toHaveLength(5);
        const loggedIn = await Promise.all(
            clients.map(async c => (await c.query(ACTIVE_CUSTOMER)).activeCustomer),
        );
        expect(loggedIn.filter(Boolean)).toHaveLength(1);
        const { customers } = await t.admin.query(
            gql`
                query ($phone: String!) {
                    customers(options: { filter: { phoneNumber: { eq: $phone } } }) {
                        totalItems
                    }
                }
            `,
            { phone },
        );
        expect(customers.totalItems).toBe(1);
    });

    it('counts GraphQL aliases one by one: sends and tries', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        const sends = await shop.query(
            gql`
                mutation ($p: String!) {
                    a: requestLoginOtp(phoneNumber: $p) {
                        __typename
                    }
                    b: requestLoginOtp(phoneNumber: $p) {
                        __typename
                        ... on OtpRateLimitedError {
                            reason
                        }
                    }
                    c: requestLoginOtp(phoneNumber: $p) {
                        __typename
                        ... on OtpRateLimitedError {
                            reason
                        }
                    }
                }
            `,
            { p: phone },
        );
        expect(sends).toEqual({
            a: { __typename: 'RequestLoginOtpSuccess' },
            b: { __typename: 'OtpRateLimitedError', reason: 'COOLDOWN' },
            c: { __typename: 'OtpRateLimitedError', reason: 'COOLDOWN' },
        });
        expect(t.simulators.smsir.inbox.filter(m => m.mobile === phone)).toHaveLength(1);
        const code = t.simulators.smsir.lastCodeTo(phone)!;
        const guesses = [1, 2, 3, 4, 5].map(
            i =>
                `g${i}: authenticate(input: { smsOtp: { phoneNumber: "${phone}", code: "${wrongCode(code, i)}" } }) { ... on InvalidCredentialsError { authenticationError } }`,
        );
        const tries = await shop.query(gql`
            mutation {
                ${guesses.join('\n')}
                right: authenticate(input: { smsOtp: { phoneNumber: "${phone}", code: "${code}" } }) {
                    __typename
                    ... on InvalidCredentialsError { authenticationError }
                }
            }
        `);
        expect(tries.g5.authenticationError).toBe('OTP_ATTEMPTS_EXCEEDED');
        expect(tries.right).toEqual({
            __typename: 'InvalidCredentialsError',
            authenticationError: 'OTP_ATTEMPTS_EXCEEDED',
        });
    });

    it('answers the same for numbers with and without an account', async () => {
        const known = freshPhone();
        const shop = t.newShopClient();
        const code = await requestAndReadCode(t, shop, known);
        expect(await login(shop, { phoneNumber: known, code })).toMatchObject({ __typename: 'CurrentUser' });
        await shop.query(LOGOUT);
        clockOffsetMs = 0;
        const unknown = freshPhone();
        // Past the known number's cooldown, so both are asked in the same state.
        await t.simulators.smsir.faults.reset();
        const forKnown = await requestCodeAfterCooldown(t, shop, known);
        const forUnknown = await requestCode(shop, unknown);
        expect(forKnown).toEqual(forUnknown);
        expect(forKnown.__typename).toBe('RequestLoginOtpSuccess');
        expect(await requestCode(shop, known)).toEqual(await requestCode(shop, unknown));
    });

    it('never writes a code to the log or into a response other than the SMS', async () => {
        const lines: string[] = [];
        const methods = ['error', 'warn', 'info', 'verbose', 'debug'] as const;
        const spies = methods.map(m =>
            vi.spyOn(Logger, m).mockImplementation((message: string, context?: string) => {
                lines.push(`${context ?? ''} ${message}`);
            }),
        );
        try {
            const phone = freshPhone();
            const shop = t.newShopClient();
            const sent = await requestCode(shop, phone);
            const code = t.simulators.smsir.lastCodeTo(phone)!;
            const wrong = await login(shop, { phoneNumber: phone, code: wrongCode(code) });
            const right = await login(shop, { phoneNumber: phone, code });
            const failing = freshPhone();
            t.simulators.smsir.failNextSends(102);
            await requestCode(shop, failing);
            expect(lines.some(l => l.includes('SmsOtpPlugin'))).toBe(true);
            expect(lines.join('\n')).not.toContain(code);
            expect(lines.join('\n')).not.toContain(phone);
            expect(JSON.stringify([sent, wrong, right])).not.toContain(code);
        } finally {
            spies.forEach(s => s.mockRestore());
        }
    });

    describe('adding a mobile number to an email account', () => {
        const REQUEST_VERIFICATION = gql`
            mutation ($phoneNumber: String!) {
                requestPhoneNumberVerification(phoneNumber: $phoneNumber) {
                    __typename
                    ... on ErrorResult {
                        errorCode
                    }
                }
            }
        `;
        const VERIFY = gql`
            mutation ($phoneNumber: String!, $code: String!) {
                verifyPhoneNumber(phoneNumber: $phoneNumber, code: $code) {
                    __typename
                    ... on Customer {
                        id
                        phoneNumber
                        emailAddress
                    }
                    ... on ErrorResult {
                        errorCode
                        message
                    }
                    ... on InvalidOtpError {
                        reason
                    }
                }
            }
        `;

        async function emailCustomer(email: string) {
            await t.admin.query(
                gql`
                    mutation ($email: String!) {
                        createCustomer(
                            input: { emailAddress: $email, firstName: "Reza", lastName: "Karimi" }
                            password: "password-123"
                        ) {
                            ... on Customer {
                                id
                            }
                        }
                    }
                `,
                { email },
            );
            const shop = t.newShopClient();
            await shop.asUserWithCredentials(email, 'password-123');
            return shop;
        }

        async function verifyCode(shop: SimpleGraphQLClient, phone: string, typed = phone) {
            const { requestPhoneNumberVerification } = await shop.query(REQUEST_VERIFICATION, {
                phoneNumber: typed,
            });
            expect(requestPhoneNumberVerification.__typename).toBe('RequestLoginOtpSuccess');
            return t.simulators.smsir.lastCodeTo(phone)!;
        }

        it('verifies the number with a code, after which both ways log into the same account', async () => {
            const email = `linked-${Date.now()}@example.ir`;
            const shop = await emailCustomer(email);
            const { activeCustomer: before } = await shop.query(ACTIVE_CUSTOMER);
            const phone = freshPhone();
            const code = await verifyCode(shop, phone, `۰${toDigits(phone.slice(1), 0x06f0)}`);

            const wrong = await shop.query(VERIFY, { phoneNumber: phone, code: wrongCode(code) });
            expect(wrong.verifyPhoneNumber).toMatchObject({
                __typename: 'InvalidOtpError',
                errorCode: 'INVALID_OTP_ERROR',
                reason: 'OTP_INVALID',
            });
            const { verifyPhoneNumber } = await shop.query(VERIFY, { phoneNumber: phone, code });
            expect(verifyPhoneNumber).toEqual({
                __typename: 'Customer',
                id: before.id,
                phoneNumber: phone,
                emailAddress: email,
            });
            expect(await verifiedMobileOf(before.id)).toBe(phone);

            const byPhone = t.newShopClient();
            // The cooldown is per number, whatever the code is for.
            await t.server.app.get(SmsOtpService).clearCooldown(phone);
            const loginCode = await requestAndReadCode(t, byPhone, phone);
            expect(await login(byPhone, { phoneNumber: phone, code: loginCode })).toMatchObject({
                __typename: 'CurrentUser',
                identifier: email,
            });
            expect((await byPhone.query(ACTIVE_CUSTOMER)).activeCustomer).toMatchObject({
                id: before.id,
                emailAddress: email,
                phoneNumber: phone,
            });

            const byPassword = t.newShopClient();
            await byPassword.asUserWithCredentials(email, 'password-123');
            expect((await byPassword.query(ACTIVE_CUSTOMER)).activeCustomer.id).toBe(before.id);
        });

        it('refuses a number already verified on another account', async () => {
            const phone = freshPhone();
            const owner = t.newShopClient();
            const loginCode = await requestAndReadCode(t, owner, phone);
            expect(await login(owner, { phoneNumber: phone, code: loginCode })).toMatchObject({
                __typename: 'CurrentUser',
            });

            const other = await emailCustomer(`other-${Date.now()}@example.ir`);
            await t.server.app.get(SmsOtpService).clearCooldown(phone);
            const code = await verifyCode(other, phone);
            const { verifyPhoneNumber } = await other.query(VERIFY, { phoneNumber: phone, code });
            expect(verifyPhoneNumber).toMatchObject({
                __typename: 'PhoneNumberInUseError',
                errorCode: 'PHONE_NUMBER_IN_USE_ERROR',
            });
            expect((await other.query(ACTIVE_CUSTOMER)).activeCustomer.phoneNumber).toBeNull();
        });

        it('does not accept a login code as a verification code, nor one sent for another account', async () => {
            const phone = freshPhone();
            const a = await emailCustomer(`a-${Date.now()}@example.ir`);
            const b = await emailCustomer(`b-${Date.now()}@example.ir`);
            const loginCode = await requestAndReadCode(t, t.newShopClient(), phone);
            expect(
                (await a.query(VERIFY, { phoneNumber: phone, code: loginCode })).verifyPhoneNumber.reason,
            ).toBe('OTP_INVALID');
            await t.server.app.get(SmsOtpService).clearCooldown(phone);
            const codeForA = await verifyCode(a, phone);
            expect(
                (await b.query(VERIFY, { phoneNumber: phone, code: codeForA })).verifyPhoneNumber.reason,
            ).toBe('OTP_INVALID');
        });

        it('moves a phone-only account to a new number and frees the old one', async () => {
            const oldPhone = freshPhone();
            const newPhone = freshPhone();
            const shop = t.newShopClient();
            const first = await login(shop, {
                phoneNumber: oldPhone,
                code: await requestAndReadCode(t, shop, oldPhone),
            });
            expect(first).toMatchObject({ __typename: 'CurrentUser', identifier: oldPhone });
            const code = await verifyCode(shop, newPhone);
            const { verifyPhoneNumber } = await shop.query(VERIFY, { phoneNumber: newPhone, code });
            expect(verifyPhoneNumber).toMatchObject({
                __typename: 'Customer',
                phoneNumber: newPhone,
                emailAddress: `${newPhone}@phone.invalid`,
            });
            expect(await verifiedMobileOf(verifyPhoneNumber.id)).toBe(newPhone);

            const byNew = t.newShopClient();
            await t.server.app.get(SmsOtpService).clearCooldown(newPhone);
            expect(
                await login(byNew, {
                    phoneNumber: newPhone,
                    code: await requestAndReadCode(t, byNew, newPhone),
                }),
            ).toMatchObject({
                id: first.id,
                identifier: newPhone,
            });
            // Whoever gets the old number next signs up as a new customer.
            const byOld = t.newShopClient();
            await t.server.app.get(SmsOtpService).clearCooldown(oldPhone);
            const next = await login(byOld, {
                phoneNumber: oldPhone,
                code: await requestAndReadCode(t, byOld, oldPhone),
            });
            expect(next).toMatchObject({ __typename: 'CurrentUser', identifier: oldPhone });
            expect(next.id).not.toBe(first.id);
        });

        it('needs a logged-in customer', async () => {
            await expect(
                t.newShopClient().query(REQUEST_VERIFICATION, { phoneNumber: freshPhone() }),
            ).rejects.toThrow(/not currently authorized/);
        });
    });

    describe('keeping email sign-up away from phone-only accounts', () => {
        const REGISTER = gql`
            mutation ($email: String!) {
                registerCustomerAccount(
                    input: {
                        emailAddress: $email
                        firstName: "Mallory"
                        phoneNumber: "09990000000"
                        password: "password-123"
                    }
                ) {
                    __typename
                    ... on ErrorResult {
                        errorCode
                        message
                    }
                    ... on EmailAddressNotAllowedError {
                        messageFa
                    }
                }
            }
        `;

        it("refuses to register a phone-only account's placeholder address, which would take its Customer", async () => {
            const phone = freshPhone();
            const owner = t.newShopClient();
            const signUp = await login(owner, {
                phoneNumber: phone,
                code: await requestAndReadCode(t, owner, phone),
                firstName: 'سارا',
            });
            expect(signUp).toMatchObject({ __typename: 'CurrentUser', identifier: phone });

            for (const email of [`${phone}@phone.invalid`, ` ${phone}@PHONE.invalid `]) {
                const { registerCustomerAccount } = await t.newShopClient().query(REGISTER, { email });
                expect(registerCustomerAccount).toEqual({
                    __typename: 'EmailAddressNotAllowedError',
                    errorCode: 'EMAIL_ADDRESS_NOT_ALLOWED_ERROR',
                    message: expect.stringMatching(/SMS code/),
                    messageFa: expect.any(String),
                });
            }

            // The owner still logs into the same, untouched account.
            await t.server.app.get(SmsOtpService).clearCooldown(phone);
            const again = t.newShopClient();
            expect(
                await login(again, { phoneNumber: phone, code: await requestAndReadCode(t, again, phone) }),
            ).toMatchObject({ __typename: 'CurrentUser', id: signUp.id });
            const { activeCustomer } = await again.query(ACTIVE_CUSTOMER);
            expect(activeCustomer).toMatchObject({ firstName: 'سارا', phoneNumber: phone });
        });

        it('refuses a mobile number as the email of a registration, so nobody can squat it', async () => {
            const phone = freshPhone();
            for (const email of [phone, `+98 ${phone.slice(1, 4)} ${phone.slice(4)}`]) {
                const { registerCustomerAccount } = await t.newShopClient().query(REGISTER, { email });
                expect(registerCustomerAccount).toMatchObject({
                    errorCode: 'EMAIL_ADDRESS_NOT_ALLOWED_ERROR',
                });
            }
            const shop = t.newShopClient();
            expect(
                await login(shop, { phoneNumber: phone, code: await requestAndReadCode(t, shop, phone) }),
            ).toMatchObject({ __typename: 'CurrentUser', identifier: phone });
        });

        it('refuses the placeholder domain as a new email address and as a guest checkout email', async () => {
            const email = `changer-${Date.now()}@example.ir`;
            await t.admin.query(
                gql`
                    mutation ($email: String!) {
                        createCustomer(
                            input: { emailAddress: $email, firstName: "A", lastName: "B" }
                            password: "password-123"
                        ) {
                            __typename
                        }
                    }
                `,
                { email },
            );
            const shop = t.newShopClient();
            await shop.asUserWithCredentials(email, 'password-123');
            const { requestUpdateCustomerEmailAddress } = await shop.query(
                gql`
                    mutation ($email: String!) {
                        requestUpdateCustomerEmailAddress(password: "password-123", newEmailAddress: $email) {
                            __typename
                            ... on ErrorResult {
                                errorCode
                            }
                        }
                    }
                `,
                { email: `${freshPhone()}@phone.invalid` },
            );
            expect(requestUpdateCustomerEmailAddress).toEqual({
                __typename: 'EmailAddressNotAllowedError',
                errorCode: 'EMAIL_ADDRESS_NOT_ALLOWED_ERROR',
            });

            const { setCustomerForOrder } = await t.newShopClient().query(
                gql`
                    mutation ($email: String!) {
                        setCustomerForOrder(input: { emailAddress: $email, firstName: "G", lastName: "H" }) {
                            __typename
                            ... on ErrorResult {
                                errorCode
                            }
                        }
                    }
                `,
                { email: `${freshPhone()}@phone.invalid` },
            );
            expect(setCustomerForOrder).toEqual({
                __typename: 'EmailAddressNotAllowedError',
                errorCode: 'EMAIL_ADDRESS_NOT_ALLOWED_ERROR',
            });
        });

        it('keeps the SMS login when staff give a phone-only customer a real email address', async () => {
            const phone = freshPhone();
            const shop = t.newShopClient();
            const signUp = await login(shop, {
                phoneNumber: phone,
                code: await requestAndReadCode(t, shop, phone),
            });
            const { activeCustomer } = await shop.query(ACTIVE_CUSTOMER);
            const email = `real-${Date.now()}@example.ir`;
            const { updateCustomer } = await t.admin.query(
                gql`
                    mutation ($id: ID!, $email: String!) {
                        updateCustomer(input: { id: $id, emailAddress: $email }) {
                            __typename
                            ... on Customer {
                                emailAddress
                                user {
                                    identifier
                                }
                            }
                        }
                    }
                `,
                { id: activeCustomer.id, email },
            );
            expect(updateCustomer).toEqual({
                __typename: 'Customer',
                emailAddress: email,
                user: { identifier: email },
            });

            await t.server.app.get(SmsOtpService).clearCooldown(phone);
            const again = t.newShopClient();
            expect(
                await login(again, { phoneNumber: phone, code: await requestAndReadCode(t, again, phone) }),
            ).toMatchObject({ __typename: 'CurrentUser', id: signUp.id, identifier: email });
        });

        it('still registers ordinary email addresses', async () => {
            const { registerCustomerAccount } = await t
                .newShopClient()
                .query(REGISTER, { email: `ordinary-${Date.now()}@example.ir` });
            expect(registerCustomerAccount).toEqual({ __typename: 'Success' });
        });
    });

    describe('SMS.ir failures', () => {
        const cases: Array<[string, () => void, string]> = [
            ['HTTP 401 (bad key)', () => t.simulators.smsir.failNextSends(10), 'OtpProviderUnavailableError'],
            [
                'HTTP 401 without a body',
                () =>
                    t.simulators.smsir.faults.arm('/v1/send/verify', {
                        kind: 'http-error',
                        status: 401,
                        body: {},
                    }),
                'OtpProviderUnavailableError',
            ],
            [
                'HTTP 429',
                () =>
                    t.simulators.smsir.faults.arm('/v1/send/verify', {
                        kind: 'http-error',
                        status: 429,
                        body: {},
                    }),
                'OtpProviderUnavailableError',
            ],
            [
                'HTTP 500',
                () => t.simulators.smsir.faults.arm('/v1/send/verify', { kind: 'http-error', status: 500 }),
                'OtpProviderUnavailableError',
            ],
            [
                'HTTP 503 with HTML',
                () =>
                    t.simulators.smsir.faults.arm('/v1/send/verify', {
                        kind: 'http-error',
                        status: 503,
                        body: '<html>',
                    }),
                'OtpProviderUnavailableError',
            ],
            [
                'a timeout',
                () => t.simulators.smsir.faults.arm('/v1/send/verify', { kind: 'timeout', delayMs: 10_000 }),
                'OtpProviderUnavailableError',
            ],
            [
                'a malformed body',
                () => t.simulators.smsir.faults.arm('/v1/send/verify', { kind: 'malformed' }),
                'OtpProviderUnavailableError',
            ],
            ...[0, 11, 12, 13, 14, 15, 16, 20, 101, 102, 113, 114, 115, 116, 118, 124].map(
                status =>
                    [
                        `status ${status}`,
                        () => t.simulators.smsir.failNextSends(status),
                        'OtpProviderUnavailableError',
                    ] as [string, () => void, string],
            ),
            [
                'status 104 (invalid mobile)',
                () => t.simulators.smsir.failNextSends(104),
                'InvalidPhoneNumberError',
            ],
        ];
        for (const [name, arm, typename] of cases) {
            it(`turns ${name} into ${typename}`, async () => {
                const phone = freshPhone();
                arm();
                const result = await requestCode(t.newShopClient(), phone);
                expect(result.__typename).toBe(typename);
                expect(result.errorCode).toMatch(/_ERROR$/);
                expect(result.messageFa).toBeTruthy();
                if (typename === 'OtpProviderUnavailableError') {
                    expect(result.retryAfterSeconds).toBeGreaterThan(0);
                }
                expect(t.simulators.smsir.inbox.some(m => m.mobile === phone)).toBe(false);
                expect(
                    t.simulators.smsir.faults
                        .callsTo('/v1/send/verify')
                        .filter(c => (c.body as { mobile: string }).mobile === phone),
                ).toHaveLength(1);
            });
        }

        it('lets the shopper try again at once after a definite failure, but not after a timeout', async () => {
            const shop = t.newShopClient();
            const definite = freshPhone();
            t.simulators.smsir.failNextSends(102);
            expect((await requestCode(shop, definite)).__typename).toBe('OtpProviderUnavailableError');
            expect((await requestCode(shop, definite)).__typename).toBe('RequestLoginOtpSuccess');

            const uncertain = freshPhone();
            t.simulators.smsir.faults.arm('/v1/send/verify', { kind: 'timeout', delayMs: 10_000 });
            expect((await requestCode(shop, uncertain)).__typename).toBe('OtpProviderUnavailableError');
            expect(await requestCode(shop, uncertain)).toMatchObject({
                __typename: 'OtpRateLimitedError',
                reason: 'COOLDOWN',
            });
        });
    });

    it('lists sends for support staff with the ReadOtpLog permission: masked numbers, outcomes, never codes', async () => {
        const phone = freshPhone();
        const shop = t.newShopClient();
        await requestAndReadCode(t, shop, phone);
        const OTP_SENDS = gql`
            query ($phone: String) {
                otpSends(phoneNumber: $phone) {
                    totalItems
                    items {
                        createdAt
                        maskedPhoneNumber
                        purpose
                        outcome
                        failureReason
                        attempts
                        consumed
                    }
                }
            }
        `;
        const { otpSends } = await t.admin.query(OTP_SENDS, { phone: `+98${phone.slice(1)}` });
        expect(otpSends.totalItems).toBe(1);
        expect(otpSends.items[0]).toMatchObject({
            maskedPhoneNumber: `${phone.slice(0, 4)}***${phone.slice(-4)}`,
            purpose: 'LOGIN',
            outcome: 'SENT',
            failureReason: null,
            attempts: 0,
            consumed: false,
        });
        const { otpSends: all } = await t.admin.query(OTP_SENDS, {});
        expect(
            all.items.some(
                (s: { outcome: string; failureReason: string }) => s.outcome === 'FAILED' && s.failureReason,
            ),
        ).toBe(true);
        expect(JSON.stringify(all)).not.toContain(t.simulators.smsir.lastCodeTo(phone)!);

        // An administrator without the permission is refused.
        const { createRole } = await t.admin.query(gql`
            mutation {
                createRole(
                    input: {
                        code: "catalog-only"
                        description: "catalog"
                        permissions: [ReadCatalog, ReadCustomer]
                    }
                ) {
                    id
                }
            }
        `);
        await t.admin.query(
            gql`
                mutation ($roleId: ID!) {
                    createAdministrator(
                        input: {
                            firstName: "A"
                            lastName: "B"
                            emailAddress: "clerk@example.ir"
                            password: "clerk-password-1"
                            roleIds: [$roleId]
                        }
                    ) {
                        id
                    }
                }
            `,
            { roleId: createRole.id },
        );
        const clerk = new SimpleGraphQLClient(
            t.server.app.get(ConfigService) as unknown as Required<VendureConfig>,
            `${t.baseUrl}/admin-api`,
        );
        await clerk.asUserWithCredentials('clerk@example.ir', 'clerk-password-1');
        await expect(clerk.query(OTP_SENDS, {})).rejects.toThrow(/not currently authorized/);
        const { otpCounters } = await t.admin.query(gql`
            query {
                otpCounters {
                    name
                    value
                }
            }
        `);
        expect(otpCounters).toContainEqual({ name: 'sent', value: expect.any(Number) });
        expect(otpCounters.some((c: { name: string }) => c.name.startsWith('provider-failure:'))).toBe(true);
    });
});

function toDigits(ascii: string, zero: number): string {
    return ascii.replace(/[0-9]/g, d => String.fromCharCode(zero + Number(d)));
}

/** The cooldown is real time (Redis TTL or the memory store); tests that need a second code lift it directly. */
async function requestCodeAfterCooldown(
    t: TestShop,
    shop: ReturnType<TestShop['newShopClient']>,
    phone: string,
) {
    await liftCooldown(t, phone);
    return requestCode(shop, phone);
}

async function requestAndReadCodeAfterCooldown(
    t: TestShop,
    shop: ReturnType<TestShop['newShopClient']>,
    typed: string,
    canonical: string,
) {
    await liftCooldown(t, canonical);
    return requestAndReadCode(t, shop, typed).then(code => {
        expect(t.simulators.smsir.lastMessageTo(canonical)).toBeDefined();
        return code;
    });
}

async function liftCooldown(t: TestShop, phone: string): Promise<void> {
    await t.server.app.get(SmsOtpService).clearCooldown(phone);
}
