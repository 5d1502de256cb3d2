import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStaffMember } from '../../../src/testing/admin-staff';
import { createTestShop, TestShop, testProfile, waitFor } from '../../../src/testing/test-shop';
import { ATTENTION_SHOP, createParcelsNeedingAttention, postexFulfilledOrder } from '../testing';

/** The Admin API behind the Admin UI's "parcels needing attention" screen. */
describe(`Postex parcels needing attention (${testProfile()})`, () => {
    let t: TestShop;
    let failed: Awaited<ReturnType<typeof postexFulfilledOrder>>;
    let labelled: Awaited<ReturnType<typeof postexFulfilledOrder>>;
    let delivered: Awaited<ReturnType<typeof postexFulfilledOrder>>;

    const attention = async (client = t.admin) =>
        (await client.query(NEEDING_ATTENTION)).postexParcelsNeedingAttention;

    beforeAll(async () => {
        t = await createTestShop(ATTENTION_SHOP);
        ({ failed, labelled, delivered } = await createParcelsNeedingAttention(t));
    }, 180_000);

    afterAll(async () => {
        await t?.close();
    });

    it('lists the failed parcel creation with its error, the label to print and the delivered COD order not settled', async () => {
        const lists = await attention();
        expect(lists.creations).toEqual([
            expect.objectContaining({
                fulfillmentId: failed.fulfillmentId,
                orderId: failed.orderId,
                orderCode: failed.orderCode,
                status: 'FAILED',
                error: expect.stringContaining('receiver address is required'),
            }),
        ]);
        expect(lists.labelsToPrint).toEqual([
            expect.objectContaining({
                fulfillmentId: labelled.fulfillmentId,
                orderCode: labelled.orderCode,
                parcelNo: expect.any(String),
            }),
        ]);
        expect(lists.codUnsettled).toEqual([
            expect.objectContaining({
                fulfillmentId: delivered.fulfillmentId,
                orderId: delivered.orderId,
                orderCode: delivered.orderCode,
                amount: expect.any(Number),
                paymentId: expect.any(String),
            }),
        ]);
        expect(lists.codUnsettled[0].amount).toBeGreaterThan(0);
    });

    it('needs ReadOrder to read the lists and UpdateOrder to retry', async () => {
        const reader = await createStaffMember(t, ['ReadOrder']);
        const stranger = await createStaffMember(t, ['ReadCatalog']);
        expect((await attention(reader.client)).creations).toHaveLength(1);
        await expect(stranger.client.query(NEEDING_ATTENTION)).rejects.toThrow(/not currently authorized/);
        await expect(reader.client.query(RETRY, { fulfillmentId: failed.fulfillmentId })).rejects.toThrow(
            /not currently authorized/,
        );
    });

    it('refuses to retry a fulfillment that has its parcel, or one that does not exist', async () => {
        const { retryPostexParcelCreation: hasParcel } = await t.admin.query(RETRY, {
            fulfillmentId: labelled.fulfillmentId,
        });
        expect(hasParcel).toMatchObject({
            __typename: 'PostexParcelNotRetriableError',
            errorCode: 'POSTEX_PARCEL_NOT_RETRIABLE_ERROR',
            reason: 'HAS_PARCEL',
        });
        const { retryPostexParcelCreation: missing } = await t.admin.query(RETRY, { fulfillmentId: '99999' });
        expect(missing).toMatchObject({ reason: 'NOT_FOUND' });
    });

    it('retries a failed creation: the parcel is made and its label joins the labels to print', async () => {
        const creates = t.simulators.postex.faults.callsTo('/parcels/bulk').length;
        const { retryPostexParcelCreation } = await t.admin.query(RETRY, {
            fulfillmentId: failed.fulfillmentId,
        });
        expect(retryPostexParcelCreation).toEqual({
            __typename: 'PostexParcelCreationQueued',
            fulfillmentId: failed.fulfillmentId,
        });
        const lists = await waitFor(
            async () => {
                const now = await attention();
                return now.creations.length === 0 ? now : undefined;
            },
            30_000,
            'the retried parcel',
        );
        expect(lists.labelsToPrint.map((l: { fulfillmentId: string }) => l.fulfillmentId).sort()).toEqual(
            [labelled.fulfillmentId, failed.fulfillmentId].sort(),
        );
        expect(t.simulators.postex.faults.callsTo('/parcels/bulk')).toHaveLength(creates + 1);
    });

    it('drops the delivered COD order once staff settle its payment', async () => {
        const [cod] = (await attention()).codUnsettled;
        const { settlePayment } = await t.admin.query(SETTLE_PAYMENT, { id: cod.paymentId });
        expect(settlePayment.state).toBe('Settled');
        expect((await attention()).codUnsettled).toEqual([]);
    });
});

const NEEDING_ATTENTION = gql`
    query {
        postexParcelsNeedingAttention {
            creations {
                fulfillmentId
                orderId
                orderCode
                createdAt
                status
                error
                attempts
            }
            labelsToPrint {
                fulfillmentId
                orderId
                orderCode
                parcelNo
                trackingCode
            }
            codUnsettled {
                fulfillmentId
                orderId
                orderCode
                parcelNo
                paymentId
                amount
                deliveredAt
            }
        }
    }
`;

const RETRY = gql`
    mutation ($fulfillmentId: ID!) {
        retryPostexParcelCreation(fulfillmentId: $fulfillmentId) {
            __typename
            ... on PostexParcelCreationQueued {
                fulfillmentId
            }
            ... on PostexParcelNotRetriableError {
                errorCode
                message
                reason
            }
        }
    }
`;

const SETTLE_PAYMENT = gql`
    mutation ($id: ID!) {
        settlePayment(id: $id) {
            ... on Payment {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
