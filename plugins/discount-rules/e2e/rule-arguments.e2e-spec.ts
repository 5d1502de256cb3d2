import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { RULE_CODES as R } from '../constants';

const CREATE = gql`
    mutation ($input: CreatePromotionInput!) {
        createPromotion(input: $input) {
            ... on Promotion {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

const UPDATE = gql`
    mutation ($input: UpdatePromotionInput!) {
        updatePromotion(input: $input) {
            ... on Promotion {
                id
                conditions {
                    args {
                        name
                        value
                    }
                }
            }
        }
    }
`;

const PROMOTIONS = gql`
    query {
        promotions {
            totalItems
        }
    }
`;

const tierPromotion = (tiers: string[]) => ({
    enabled: true,
    conditions: [
        {
            code: R.volumeTier,
            arguments: [
                { name: 'basis', value: 'amount' },
                { name: 'tiers', value: JSON.stringify(tiers) },
            ],
        },
    ],
    actions: [{ code: R.tieredDiscount, arguments: [{ name: 'maxDiscount', value: '0' }] }],
    translations: [{ languageCode: 'en', name: 'Tiers' }],
});

const jalali = (from: string, to: string) => ({
    code: R.jalaliPeriod,
    arguments: [
        { name: 'from', value: from },
        { name: 'to', value: to },
    ],
});

/** The Admin API error a refused mutation answers (SimpleGraphQLClient throws it). */
async function refusal(run: Promise<unknown>): Promise<{ message: string; code?: string }> {
    try {
        await run;
    } catch (e) {
        const errors = (
            e as { response?: { errors?: Array<{ message: string; extensions?: { code?: string } }> } }
        ).response?.errors;
        if (errors?.length) {
            return { message: errors[0].message, code: errors[0].extensions?.code };
        }
        throw e;
    }
    throw new Error('the mutation was not refused');
}

describe(`discount rules refuse arguments they cannot use when the promotion is saved (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ seed: false });
    });

    afterAll(async () => {
        await t?.close();
    });

    it('refuses tiers that are not threshold:percent, naming the argument, and saves nothing', async () => {
        const { message, code } = await refusal(
            t.admin.query(CREATE, { input: tierPromotion(['3:5', 'abc']) }),
        );
        expect(code).toBe('USER_INPUT_ERROR');
        expect(message).toContain(`${R.volumeTier}: argument "tiers"`);
        expect(message).toContain('"abc"');
        expect(message).toContain('آرگومان «tiers»');
        expect((await t.admin.query(PROMOTIONS)).promotions.totalItems).toBe(0);
    });

    it('refuses a Gregorian end date in a Jalali period on update, and keeps the saved promotion as it was', async () => {
        const { createPromotion } = await t.admin.query(CREATE, {
            input: {
                ...tierPromotion(['3:5']),
                conditions: [...tierPromotion(['3:5']).conditions, jalali('1406/01/01', '1406/01/13')],
            },
        });
        expect(createPromotion.id).toBeDefined();
        const { message } = await refusal(
            t.admin.query(UPDATE, {
                input: { id: createPromotion.id, conditions: [jalali('1404/01/01', '2026/12/29')] },
            }),
        );
        expect(message).toContain(`${R.jalaliPeriod}: argument "to"`);
        expect(message).toContain('2026/12/29');
        const { promotion } = await t.admin.query(
            gql`
                query ($id: ID!) {
                    promotion(id: $id) {
                        conditions {
                            code
                            args {
                                name
                                value
                            }
                        }
                    }
                }
            `,
            { id: createPromotion.id },
        );
        expect(
            promotion.conditions.find((c: { code: string }) => c.code === R.jalaliPeriod).args,
        ).toContainEqual({
            name: 'to',
            value: '1406/01/13',
        });
    });
});
