import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { assertOk } from '../../src/testing/checkout-helpers';

import { FaultShop, shopClient, ShopProcess, waitFor } from './support/fault-shop';
import { recordFigures, since } from './support/figures';
import {
    adminClient,
    adminOrder,
    codOrder,
    firstVariantIds,
    followCallback,
    payAtBank,
    startZibalCheckout,
} from './support/shop-flows';
import { SmtpSink } from './support/smtp-sink';

/**
 * Scenario 1 of issue 17: the worker is SIGKILLed while a job with an outside effect is in flight (its call to
 * the provider, the mail relay or the database held open by the test), a new worker starts, and the job
 * completes with its effect made exactly once. BullMQ puts the dead worker's job back once its lock expires
 * (JOB_LOCK_SECONDS=2 here; 30 s by default).
 */

const ADD_FULFILLMENT = gql`
    mutation Fulfill($input: FulfillOrderInput!) {
        addFulfillmentToOrder(input: $input) {
            ... on Fulfillment {
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

const UPDATE_PRODUCT = gql`
    mutation ($input: [UpdateProductInput!]!) {
        updateProducts(input: $input) {
            id
        }
    }
`;

const CREATE_CUSTOMER = gql`
    mutation ($email: String!) {
        createCustomer(
            input: { emailAddress: $email, firstName: "Sara", lastName: "Ahmadi" }
            password: "password-123"
        ) {
            ... on Customer {
                id
            }
        }
    }
`;

const SEND_MESSAGE = gql`
    mutation ($input: SendSupportMessageInput!) {
        sendSupportMessage(input: $input) {
            ... on SendSupportMessageSuccess {
                conversation {
                    id
                }
                message {
                    body
                }
            }
            ... on SupportChatError {
                errorCode
                errorMessage: message
            }
        }
    }
`;

const RUN_TASK = gql`
    mutation ($id: String!) {
        runScheduledTask(id: $id) {
            success
        }
    }
`;

const SEARCH = gql`
    query ($term: String!) {
        search(input: { term: $term, groupByProduct: false, take: 50 }) {
            totalItems
            items {
                productId
                productVariantId
                productName
            }
        }
    }
`;

const PRODUCT_VARIANTS = gql`
    query ($id: ID!) {
        product(id: $id) {
            id
            variants {
                id
            }
        }
    }
`;

describe('worker killed mid-job: every job completes, its effect happens once', () => {
    const sink = new SmtpSink();
    let shop: FaultShop;
    let server: ShopProcess;
    let worker: ShopProcess;
    let admin: SimpleGraphQLClient;
    let db: Client;
    let variantIds: string[];
    const figures: Record<string, number> = {};

    /** Kills the worker (SIGKILL) and starts a new one; returns ms from the kill until the new one is healthy. */
    async function killAndReplaceWorker(): Promise<number> {
        const start = performance.now();
        await worker.kill('SIGKILL');
        worker = await shop.startWorker();
        return since(start);
    }

    async function count(sql: string): Promise<number> {
        return Number((await db.query(sql)).rows[0].n);
    }

    beforeAll(async () => {
        const smtpUrl = await sink.listen();
        shop = new FaultShop({
            name: 'worker',
            // The unread-reply notice is due at once (default 180 s); the test runs its task on demand.
            env: { SMTP_URL: smtpUrl, EMAIL_FROM: 'shop@example.ir', CHAT_UNREAD_NOTIFY_AFTER_SECONDS: '0' },
        });
        server = await shop.start();
        admin = await adminClient(server.baseUrl);
        variantIds = await firstVariantIds(shopClient(server.baseUrl));
        db = new Client({ connectionString: shop.database.url });
        await db.connect();
    });

    afterAll(async () => {
        await db?.end();
        await shop?.close();
        await sink.close();
        recordFigures('1-worker-killed', figures);
    });

    it('Postex places sync: killed while Postex is answering, the new worker syncs every place once', async () => {
        // The server queued the sync at its first start (empty table); no worker has run it yet.
        expect(await count('select count(*) n from postex_city')).toBe(0);
        await shop.fault('postex', '/locality/cities/all', { kind: 'delay', delayMs: 120_000 });
        worker = await shop.startWorker();
        await waitFor(
            async () => (await shop.calls('postex', '/locality/cities/all')).length === 1,
            60_000,
            'the sync job to call Postex',
        );
        figures.placesSyncRecoverMs = await killAndReplaceWorker();
        const start = performance.now();
        await waitFor(
            async () => (await count('select count(*) n from postex_city')) > 0,
            60_000,
            'the places sync',
        );
        figures.placesSyncDoneAfterRestartMs = since(start);
        // The simulator's 31 provinces with two cities each, each stored once.
        expect(await count('select count(*) n from postex_province')).toBe(31);
        expect(await count('select count(*) n from postex_city')).toBe(62);
        expect(await count('select count(distinct code) n from postex_city')).toBe(62);
        figures.placesSyncJobsKilled = 1;
        figures.placesSyncDoneOnce = 1;
    });

    it('Postex parcel: killed after Postex created the parcel but before its answer arrived, no second parcel', async () => {
        const { code } = await codOrder(server.baseUrl, variantIds[1], 'parcel-kill@example.ir');
        const order = (await adminOrder(admin, code))!;
        // Postex creates the parcel, then its answer hangs: the worker dies with the parcel made but not stored.
        await shop.fault('postex', '/parcels/bulk', { kind: 'hold-answer', delayMs: 120_000 });
        const { addFulfillmentToOrder } = await admin.query(ADD_FULFILLMENT, {
            input: {
                lines: order.lines.map(l => ({ orderLineId: l.id, quantity: l.quantity })),
                handler: { code: 'postex', arguments: [] },
            },
        });
        assertOk(addFulfillmentToOrder, 'addFulfillmentToOrder');
        const customOrderNo = `${code}-${addFulfillmentToOrder.id}`;
        const parcelsAtPostex = async () =>
            (await (
                await fetch(`${shop.simulatorUrl}/__control/postex/parcels?customOrderNo=${customOrderNo}`)
            ).json()) as Array<{ parcel_no: string }>;
        await waitFor(
            async () => (await parcelsAtPostex()).length === 1,
            60_000,
            'Postex to create the parcel',
        );
        figures.parcelRecoverMs = await killAndReplaceWorker();
        const start = performance.now();
        const stored = await waitFor(
            async () => (await adminOrder(admin, code))?.fulfillments[0]?.customFields.postexParcelNo,
            60_000,
            'the parcel number on the fulfillment',
        );
        figures.parcelDoneAfterRestartMs = since(start);
        const parcels = await parcelsAtPostex();
        expect(parcels).toHaveLength(1);
        expect(stored).toBe(parcels[0].parcel_no);
        // The retry looked the parcel up by custom_order_no and did not create another.
        expect((await shop.calls('postex', '/parcels/bulk')).length).toBe(1);
        figures.parcelJobsKilled = 1;
        figures.parcelsAtPostex = parcels.length;
    });

    it('order confirmation email: killed while the mail relay had not yet accepted it, one email arrives', async () => {
        const email = 'confirm-kill@example.ir';
        sink.holdNext(1, email);
        const client = shopClient(server.baseUrl);
        const { code, trackId } = await startZibalCheckout(client, variantIds[0], email);
        const callback = await payAtBank(shop.simulatorUrl, trackId);
        expect((await followCallback(callback)).status).toBe(303);
        expect((await adminOrder(admin, code))?.state).toBe('PaymentSettled');
        // The send-email job reached the relay, which holds its answer to the message.
        await waitFor(async () => sink.heldCount === 1, 60_000, 'the confirmation email to reach the relay');
        const dropped = sink.dropped;
        figures.emailRecoverMs = await killAndReplaceWorker();
        const start = performance.now();
        const mine = () => sink.delivered.filter(m => m.to.includes(email));
        await waitFor(async () => mine().length > 0, 60_000, 'the confirmation email');
        figures.emailDoneAfterRestartMs = since(start);
        // The relay never answered the dead worker's message, so it was not delivered (RFC 5321 §4.1.1.4).
        expect(sink.dropped).toBe(dropped + 1);
        // Time for a duplicate to show up: none may.
        await new Promise(r => setTimeout(r, 5000));
        expect(mine()).toHaveLength(1);
        expect(mine()[0].subject).toContain(code);
        figures.emailJobsKilled = 1;
        figures.emailsDelivered = mine().length;
    });

    it('chat unread notice email: killed while the relay had not yet accepted it, one notice arrives', async () => {
        worker ??= await shop.startWorker();
        const email = `chat-kill-${Date.now()}@example.ir`;
        const { createCustomer } = await admin.query(CREATE_CUSTOMER, { email });
        expect(createCustomer.id).toBeTruthy();
        // A customer created with a password gets a verification email first: let it through before holding.
        await waitFor(
            async () => sink.delivered.some(m => m.to.includes(email)),
            60_000,
            'the verification email',
        );
        const customer = shopClient(server.baseUrl);
        await customer.asUserWithCredentials(email, 'password-123');
        const asked = await customer.query(SEND_MESSAGE, {
            input: { body: 'سفارشم کی می‌رسد؟', clientMessageId: `c-${Date.now()}` },
        });
        const conversationId = asked.sendSupportMessage.conversation.id;
        const answered = await admin.query(SEND_MESSAGE, {
            input: { conversationId, body: 'فردا ارسال می‌شود', clientMessageId: `s-${Date.now()}` },
        });
        expect(answered.sendSupportMessage.message.body).toBe('فردا ارسال می‌شود');
        sink.holdNext(1, email);
        // The worker's task finds the unread reply, its job publishes the notice, the email job sends it.
        await admin.query(RUN_TASK, { id: 'support-chat-unread-notices' });
        await waitFor(async () => sink.heldCount === 1, 90_000, 'the unread notice to reach the relay');
        const dropped = sink.dropped;
        figures.chatNoticeRecoverMs = await killAndReplaceWorker();
        const start = performance.now();
        const mine = () =>
            sink.delivered.filter(m => m.to.includes(email) && m.subject === 'پاسخ تازه از پشتیبانی فروشگاه');
        await waitFor(async () => mine().length > 0, 60_000, 'the unread notice');
        figures.chatNoticeDoneAfterRestartMs = since(start);
        expect(sink.dropped).toBe(dropped + 1);
        await new Promise(r => setTimeout(r, 5000));
        expect(mine()).toHaveLength(1);
        figures.chatNoticeJobsKilled = 1;
        figures.chatNoticesDelivered = mine().length;
    });

    it('search index: killed while its index write waits on a lock, the new worker indexes the change once', async () => {
        const productId = '2';
        const { product } = await admin.query(PRODUCT_VARIANTS, { id: productId });
        const newName = `fault-renamed-${Date.now()}`;
        // Hold the index table: the worker's update of the index blocks on it, mid-job.
        const locker = new Client({ connectionString: shop.database.url });
        await locker.connect();
        const lockerPid = Number((await locker.query('select pg_backend_pid() pid')).rows[0].pid);
        await locker.query('begin');
        await locker.query('lock table search_index_item in exclusive mode');
        try {
            const { updateProducts } = await admin.query(UPDATE_PRODUCT, {
                input: [{ id: productId, translations: [{ languageCode: 'fa', name: newName }] }],
            });
            expect(updateProducts).toHaveLength(1);
            await waitFor(
                async () =>
                    (await count(
                        `select count(*) n from pg_stat_activity where datname = current_database()
                           and wait_event_type = 'Lock' and pid <> ${lockerPid}`,
                    )) > 0,
                60_000,
                'the indexing job to wait on the index table',
            );
            await worker.kill('SIGKILL');
        } finally {
            await locker.query('commit');
            await locker.end();
        }
        const start = performance.now();
        worker = await shop.startWorker();
        figures.searchRecoverMs = since(start);
        const shopper = shopClient(server.baseUrl);
        const hits = await waitFor(
            async () => {
                const { search } = await shopper.query(SEARCH, { term: newName });
                return search.items.length >= product.variants.length ? search.items : undefined;
            },
            60_000,
            'the renamed product in the search index',
        );
        figures.searchDoneAfterRestartMs = since(start);
        await new Promise(r => setTimeout(r, 2000));
        const { search } = await shopper.query(SEARCH, { term: newName });
        // One index row per variant (and language), none twice.
        expect(search.items).toHaveLength(product.variants.length);
        expect(new Set(search.items.map((i: { productVariantId: string }) => i.productVariantId)).size).toBe(
            product.variants.length,
        );
        expect(hits.every((i: { productName: string }) => i.productName === newName)).toBe(true);
        figures.searchJobsKilled = 1;
        figures.searchDoneOnce = 1;
    });
});
