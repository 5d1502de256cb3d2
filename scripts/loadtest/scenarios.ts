import autocannon from 'autocannon';
import gql from 'graphql-tag';
import { io } from 'socket.io-client';

import { solveProofOfWork } from '../../plugins/sms-otp';
import {
    ADD_PAYMENT,
    assertOk,
    CREATE_ZIBAL_INTENT,
    prepareOrderForPayment,
} from '../../src/testing/checkout-helpers';
import { LoadClient, Recorder } from './load-client';

/** What the scenarios know of the shop under test, read once before the ramps. */
export interface ShopUnderTest {
    servers: string[];
    simulatorUrl: string;
    slugs: string[];
    variantIds: string[];
    facetValueIds: string[];
    terms: string[];
}

export interface Scenario {
    name: string;
    /** What one iteration does, for the report. */
    iteration: string;
    /** Concurrency of each step of the ramp (full run and --quick). */
    steps: { full: number[]; quick: number[] };
    /** At most this many iterations in the whole run (the OTP scenario stays under the shop's SMS caps). */
    budget?: number;
    run(
        shop: ShopUnderTest,
        concurrency: number,
        seconds: number,
        rec: Recorder,
        budget: Budget,
    ): Promise<void>;
}

export class Budget {
    constructor(public left = Infinity) {}
    take(): boolean {
        return this.left-- > 0;
    }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

// --- the storefront's catalog reads ------------------------------------------------------------------------------

const ASSET = 'featuredAsset { id preview width height }';
export const QUERIES = {
    collections: `query Home { collections(options: { topLevelOnly: true }) { items { id name slug ${ASSET}
        children { id name slug } } } }`,
    products: `query List { products(options: { take: 12 }) { totalItems items { id name slug ${ASSET}
        variants { id name sku priceWithTax currencyCode stockLevel ${ASSET} } } } }`,
    product: `query Detail($slug: String!) { product(slug: $slug) { id name slug description ${ASSET}
        assets { id preview } facetValues { id name facet { id name } } collections { id name slug }
        variants { id name sku price priceWithTax currencyCode stockLevel options { id code name } ${ASSET} } } }`,
    search: `query Search($input: SearchInput!) { search(input: $input) { totalItems
        items { productId productName slug productAsset { id preview } currencyCode
            priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } } }
        facetValues { count facetValue { id name facet { id name } } } } }`,
};

function searchInput(shop: ShopUnderTest) {
    return Math.random() < 0.5
        ? { term: pick(shop.terms), groupByProduct: true, take: 12 }
        : {
              groupByProduct: true,
              take: 12,
              facetValueFilters: [{ and: pick(shop.facetValueIds) }],
          };
}

/** The catalog the scenarios pick from: product slugs, variant ids, facet values, search terms. */
export async function readCatalog(servers: string[], simulatorUrl: string): Promise<ShopUnderTest> {
    const rec = new Recorder();
    const client = new LoadClient(servers[0], rec, '127.0.0.1');
    try {
        const { products } = await client.query(gql`
            query {
                products(options: { take: 100 }) {
                    items {
                        slug
                        name
                        variants {
                            id
                            stockLevel
                        }
                    }
                }
            }
        `);
        const { search } = await client.query(gql`
            query {
                search(input: { take: 1, groupByProduct: true }) {
                    facetValues {
                        facetValue {
                            id
                        }
                    }
                }
            }
        `);
        type Item = { slug: string; name: string; variants: Array<{ id: string; stockLevel: string }> };
        const items = products.items as Item[];
        return {
            servers,
            simulatorUrl,
            slugs: items.map(p => p.slug),
            variantIds: items.flatMap(p =>
                p.variants.filter(v => v.stockLevel !== 'OUT_OF_STOCK').map(v => v.id),
            ),
            facetValueIds: (search.facetValues as Array<{ facetValue: { id: string } }>).map(
                f => f.facetValue.id,
            ),
            terms: items.slice(0, 20).map(p => p.name.split(/\s+/)[0]),
        };
    } finally {
        client.close();
        rec.destroy();
    }
}

/** Anonymous browsing with autocannon: home collections, a product list, a product page and a search per loop. */
const browse: Scenario = {
    name: 'browse',
    iteration:
        'home collections, products (take 12, variants, prices, stock, assets), product by slug, search (term or facet)',
    steps: { full: [1, 5, 10, 20, 40], quick: [1, 5] },
    async run(shop, concurrency, seconds, rec) {
        const body = (query: string, variables: object = {}) => JSON.stringify({ query, variables });
        const onResponse = (status: number, resBody: string) => {
            if (status < 400 && resBody.includes('"errors":[')) {
                rec.requestErrors++;
                rec.error(`GraphQL error: ${resBody.slice(0, 120)}`);
            }
        };
        let done!: (r: { result?: autocannon.Result; error?: unknown }) => void;
        const finished = new Promise<{ result?: autocannon.Result; error?: unknown }>(r => (done = r));
        const instance = autocannon(
            {
                // autocannon takes several URLs and spreads the connections over them (its types say one).
                url: shop.servers.map(s => `${s}/shop-api`) as unknown as string,
                connections: concurrency,
                duration: seconds,
                timeout: 30,
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                requests: [
                    { path: '/shop-api', body: body(QUERIES.collections), onResponse },
                    { path: '/shop-api', body: body(QUERIES.products), onResponse },
                    {
                        path: '/shop-api',
                        setupRequest: req => ({
                            ...req,
                            body: body(QUERIES.product, { slug: pick(shop.slugs) }),
                        }),
                        onResponse,
                    },
                    {
                        path: '/shop-api',
                        setupRequest: req => ({
                            ...req,
                            body: body(QUERIES.search, { input: searchInput(shop) }),
                        }),
                        onResponse,
                    },
                ],
            },
            (error, result) => done({ error, result }),
        );
        instance.on('response', (_client, status, _bytes, responseTime) =>
            rec.request(responseTime, status < 400),
        );
        const { error, result } = await finished;
        if (!result) {
            throw error instanceof Error ? error : new Error(`autocannon: ${String(error)}`);
        }
        const failures = result.errors + result.timeouts;
        for (let i = 0; i < failures; i++) {
            rec.request(30_000, false);
        }
        if (failures) {
            rec.error('connection error or timeout (30 s)', failures);
        }
        // A loop of four requests is one shopper's visit; a visit with a failed request failed.
        rec.flowCount += Math.floor(result.requests.total / 4);
        rec.flowErrors += Math.min(rec.requestErrors, rec.flowCount);
    },
};

// --- stateful shoppers: one closed-loop worker per concurrent shopper ---------------------------------------------

async function closedLoop(
    concurrency: number,
    seconds: number,
    rec: Recorder,
    budget: Budget,
    iteration: (worker: number) => Promise<void>,
): Promise<void> {
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
            while (performance.now() < deadline && budget.take()) {
                const t0 = performance.now();
                try {
                    await iteration(worker);
                    rec.flow(performance.now() - t0);
                } catch (e) {
                    rec.flow(performance.now() - t0, e);
                }
            }
        }),
    );
}

/** Each iteration is a new shopper on its own source address (see shopperAddress), on the next server. */
async function asShopper<T>(
    shop: ShopUnderTest,
    worker: number,
    rec: Recorder,
    fn: (client: LoadClient) => Promise<T>,
): Promise<T> {
    const client = new LoadClient(shop.servers[worker % shop.servers.length], rec);
    try {
        return await fn(client);
    } finally {
        client.close();
    }
}

const CART_ADD = gql`
    mutation ($variantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $variantId, quantity: $quantity) {
            ... on Order {
                id
                totalWithTax
                lines {
                    id
                    quantity
                }
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
const CART_ADJUST = gql`
    mutation ($lineId: ID!, $quantity: Int!) {
        adjustOrderLine(orderLineId: $lineId, quantity: $quantity) {
            ... on Order {
                id
                totalWithTax
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
const CART_VIEW = gql`
    query {
        activeOrder {
            id
            totalQuantity
            totalWithTax
            lines {
                id
                quantity
                linePriceWithTax
                productVariant {
                    id
                    name
                }
                featuredAsset {
                    preview
                }
            }
        }
    }
`;
const PRODUCT = gql(QUERIES.product);

const cart: Scenario = {
    name: 'cart',
    iteration:
        'product page, add to cart, another product page, add 2, change the first line to 3, view the cart',
    steps: { full: [1, 5, 10, 20, 40], quick: [1, 5] },
    run: (shop, concurrency, seconds, rec, budget) =>
        closedLoop(concurrency, seconds, rec, budget, worker =>
            asShopper(shop, worker, rec, async client => {
                await client.query(PRODUCT, { slug: pick(shop.slugs) });
                const first = await client.query(CART_ADD, { variantId: pick(shop.variantIds), quantity: 1 });
                assertOk(first.addItemToOrder, 'addItemToOrder');
                await client.query(PRODUCT, { slug: pick(shop.slugs) });
                assertOk(
                    (await client.query(CART_ADD, { variantId: pick(shop.variantIds), quantity: 2 }))
                        .addItemToOrder,
                    'addItemToOrder',
                );
                const lineId = first.addItemToOrder.lines[0].id;
                assertOk(
                    (await client.query(CART_ADJUST, { lineId, quantity: 3 })).adjustOrderLine,
                    'adjustOrderLine',
                );
                const { activeOrder } = await client.query(CART_VIEW);
                if (!activeOrder || activeOrder.lines.length < 1) {
                    throw new Error('the cart is empty after adding items');
                }
            }),
        ),
};

let nextPhone = 1_000_000 + Math.floor(Math.random() * 8_000_000);
/** A mobile number no earlier iteration of this run used (per-number cooldowns and caps stay out of the way). */
const newPhone = () => `0912${String(nextPhone++ % 10_000_000).padStart(7, '0')}`;

const ORDER_BY_CODE = gql`
    query ($code: String!) {
        orderByCode(code: $code) {
            code
            state
        }
    }
`;

const checkoutZibal: Scenario = {
    name: 'checkout-zibal',
    iteration:
        'guest checkout (add, customer, address, shipping quote, flat rate, ArrangingPayment), Zibal intent, pay on the simulator bank page, callback, order page',
    steps: { full: [1, 5, 10, 20], quick: [1, 3] },
    run: (shop, concurrency, seconds, rec, budget) =>
        closedLoop(concurrency, seconds, rec, budget, worker =>
            asShopper(shop, worker, rec, async client => {
                const phone = newPhone();
                const { code } = await prepareOrderForPayment(client, {
                    variantId: pick(shop.variantIds),
                    email: `load-${phone}@example.ir`,
                    phone,
                });
                const { createZibalPaymentIntent: intent } = await client.query(CREATE_ZIBAL_INTENT);
                if (intent.__typename !== 'ZibalPaymentIntent') {
                    throw new Error(
                        `createZibalPaymentIntent: ${intent.__typename} ${intent.errorCode ?? ''}`,
                    );
                }
                const bank = await client.request(
                    `${shop.simulatorUrl}/zibal/start/${intent.trackId}/pay`,
                    'POST',
                    {},
                );
                const callback = bank.headers.get('location');
                if (!callback) {
                    throw new Error(`the bank page answered ${bank.status} without a redirect`);
                }
                const back = await client.request(callback, 'GET', {});
                if (back.status !== 303) {
                    throw new Error(`the Zibal callback answered ${back.status}`);
                }
                const { orderByCode } = await client.query(ORDER_BY_CODE, { code });
                if (orderByCode?.state !== 'PaymentSettled') {
                    throw new Error(`order after the Zibal callback: ${orderByCode?.state}`);
                }
            }),
        ),
};

const checkoutCod: Scenario = {
    name: 'checkout-cod',
    iteration:
        'guest checkout with a Postex quote (add, customer, address, quote, postex, ArrangingPayment), cash on delivery',
    steps: { full: [1, 5, 10, 20], quick: [1, 3] },
    run: (shop, concurrency, seconds, rec, budget) =>
        closedLoop(concurrency, seconds, rec, budget, worker =>
            asShopper(shop, worker, rec, async client => {
                const phone = newPhone();
                await prepareOrderForPayment(client, {
                    variantId: pick(shop.variantIds),
                    email: `load-${phone}@example.ir`,
                    phone,
                    shippingMethodCode: 'postex',
                });
                const { addPaymentToOrder } = await client.query(ADD_PAYMENT, {
                    input: { method: 'cash-on-delivery', metadata: {} },
                });
                assertOk(addPaymentToOrder, 'addPaymentToOrder');
                if (addPaymentToOrder.state !== 'PaymentAuthorized') {
                    throw new Error(`order after cash on delivery: ${addPaymentToOrder.state}`);
                }
            }),
        ),
};

const REQUEST_OTP = gql`
    mutation ($phoneNumber: String!, $solution: String) {
        requestLoginOtp(phoneNumber: $phoneNumber, challengeSolution: $solution) {
            __typename
            ... on OtpChallengeRequiredError {
                challenge
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
const AUTHENTICATE = gql`
    mutation ($input: SmsOtpAuthInput!) {
        authenticate(input: { smsOtp: $input }) {
            __typename
            ... on CurrentUser {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
const ACTIVE_CUSTOMER = gql`
    query {
        activeCustomer {
            id
            phoneNumber
        }
    }
`;

export const otpStats = { challenges: 0 };

const otpLogin: Scenario = {
    name: 'otp-login',
    iteration:
        'requestLoginOtp for a new number (solving the proof-of-work challenge once the shop asks), read the SMS at the SMS.ir simulator, authenticate (creates the account), activeCustomer',
    steps: { full: [1, 5, 10, 20], quick: [1, 3] },
    // The shop sends at most 700 codes an hour to numbers without an account (caps.global - knownAccountReserve).
    budget: 600,
    run: (shop, concurrency, seconds, rec, budget) =>
        closedLoop(concurrency, seconds, rec, budget, worker =>
            asShopper(shop, worker, rec, async client => {
                const phoneNumber = newPhone();
                let { requestLoginOtp: sent } = await client.query(REQUEST_OTP, { phoneNumber });
                if (sent.__typename === 'OtpChallengeRequiredError') {
                    otpStats.challenges++;
                    const solution = solveProofOfWork(sent.challenge);
                    ({ requestLoginOtp: sent } = await client.query(REQUEST_OTP, { phoneNumber, solution }));
                }
                if (sent.__typename !== 'RequestLoginOtpSuccess') {
                    throw new Error(`requestLoginOtp: ${sent.__typename} ${sent.errorCode ?? ''}`);
                }
                const inbox = (await fetch(`${shop.simulatorUrl}/smsir/__inbox?mobile=${phoneNumber}`).then(
                    r => r.json(),
                )) as Array<{ parameters: Array<{ name: string; value: string }> }>;
                const code = inbox.at(-1)?.parameters.find(p => p.name === 'CODE')?.value;
                if (!code) {
                    throw new Error('no SMS reached the simulator');
                }
                const { authenticate } = await client.query(AUTHENTICATE, { input: { phoneNumber, code } });
                if (authenticate.__typename !== 'CurrentUser') {
                    throw new Error(
                        `authenticate: ${authenticate.__typename} ${authenticate.errorCode ?? ''}`,
                    );
                }
                const { activeCustomer } = await client.query(ACTIVE_CUSTOMER);
                if (!activeCustomer) {
                    throw new Error('no activeCustomer after the OTP login');
                }
            }),
        ),
};

const MESSAGES_PER_CHAT = 3;
const CHAT_THINK_MS = 1000;

const chat: Scenario = {
    name: 'chat',
    iteration: `a guest session, a socket.io connection to /chat, ${MESSAGES_PER_CHAT} messages ${CHAT_THINK_MS / 1000} s apart (each acknowledged), disconnect`,
    steps: { full: [10, 50, 100, 200], quick: [5, 20] },
    run: (shop, concurrency, seconds, rec, budget) =>
        closedLoop(concurrency, seconds, rec, budget, worker =>
            asShopper(shop, worker, rec, async client => {
                await client.query(gql`
                    query {
                        supportConversations {
                            id
                        }
                    }
                `);
                const token = client.getAuthToken();
                const t0 = performance.now();
                const socket = io(`${client.baseUrl}/chat`, {
                    auth: { token },
                    transports: ['websocket'],
                    reconnection: false,
                    forceNew: true,
                    timeout: 30_000,
                });
                try {
                    await new Promise<void>((resolve, reject) => {
                        socket.once('connect', resolve);
                        socket.once('connect_error', reject);
                    });
                    rec.request(performance.now() - t0, true);
                    for (let i = 0; i < MESSAGES_PER_CHAT; i++) {
                        if (i > 0) {
                            await sleep(CHAT_THINK_MS);
                        }
                        const s = performance.now();
                        const ack = (await socket.timeout(30_000).emitWithAck('message:send', {
                            clientMessageId: `${worker}-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}`,
                            body: `سلام، سفارش من کی ارسال می‌شود؟ (${i + 1})`,
                        })) as { ok: boolean; error?: { code: string } };
                        rec.request(performance.now() - s, ack.ok);
                        if (!ack.ok) {
                            throw new Error(`message:send: ${ack.error?.code}`);
                        }
                    }
                } finally {
                    socket.close();
                }
            }),
        ),
};

// OTP login last: at 20 concurrent logins the server's pool deadlocks (docs/load-test.md), and every scenario after
// it would measure a hung server.
export const SCENARIOS: Scenario[] = [browse, cart, checkoutZibal, checkoutCod, chat, otpLogin];
