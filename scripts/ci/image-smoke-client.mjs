/* global process, console, setTimeout, fetch */
/* eslint-disable no-console */
// The client side of scripts/ci/image-smoke.sh: talks to the containers only through their public HTTP APIs.
//   node image-smoke-client.mjs order <base-url>             guest checkout with cash on delivery, then the jobs
//   node image-smoke-client.mjs drain <base-url> <pid> <n>   n concurrent requests, SIGTERM to pid while they run
import { sigtermDuringRequests } from './drain-load.mjs';

const [command, baseUrl, ...rest] = process.argv.slice(2);

async function gql(api, query, variables = {}, session = {}) {
    const headers = { 'content-type': 'application/json' };
    if (session.token) {
        headers.authorization = `Bearer ${session.token}`;
    }
    const res = await fetch(`${baseUrl}/${api}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
    });
    session.token = res.headers.get('vendure-auth-token') ?? session.token;
    const body = await res.json();
    if (body.errors) {
        throw new Error(`${api}: ${JSON.stringify(body.errors)}`);
    }
    return body.data;
}

function ok(result, step) {
    if (!result || result.errorCode) {
        throw new Error(`${step} failed: ${JSON.stringify(result)}`);
    }
    return result;
}

async function poll(what, fn, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await fn();
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise(r => setTimeout(r, 500));
    }
}

const JOBS = `query { jobs(options: { take: 200, sort: { createdAt: DESC } }) { items { queueName state createdAt } } }`;

async function order() {
    const admin = {};
    ok(
        (
            await gql(
                'admin-api',
                `mutation { login(username: "superadmin", password: "superadmin") { ... on CurrentUser { id } ... on ErrorResult { errorCode message } } }`,
                {},
                admin,
            )
        ).login,
        'admin login',
    );

    // The seed's reindex is a job: the Shop API search finds the products only once the worker has run it.
    const indexed = await poll(
        'the worker to index the seeded catalogue',
        async () =>
            (await gql('shop-api', `{ search(input: { take: 1 }) { totalItems } }`)).search.totalItems,
        120_000,
    );
    console.log(`search index built by the worker: ${indexed} products`);

    const shop = {};
    const { products } = await gql(
        'shop-api',
        `{ products(options: { take: 5, sort: { id: ASC } }) { items { name variants { id priceWithTax stockLevel } } } }`,
    );
    const variant = products.items.flatMap(p => p.variants).find(v => v.stockLevel !== 'OUT_OF_STOCK');
    const placedAt = new Date();
    ok(
        (
            await gql(
                'shop-api',
                `mutation($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { ... on Order { code } ... on ErrorResult { errorCode message } } }`,
                { id: variant.id },
                shop,
            )
        ).addItemToOrder,
        'addItemToOrder',
    );
    ok(
        (
            await gql(
                'shop-api',
                `mutation($input: CreateCustomerInput!) { setCustomerForOrder(input: $input) { ... on Order { id } ... on ErrorResult { errorCode message } } }`,
                {
                    input: {
                        emailAddress: `image-smoke-${Date.now()}@example.com`,
                        firstName: 'علی',
                        lastName: 'رضایی',
                        phoneNumber: '09121234567',
                    },
                },
                shop,
            )
        ).setCustomerForOrder,
        'setCustomerForOrder',
    );
    ok(
        (
            await gql(
                'shop-api',
                `mutation($input: CreateAddressInput!) { setOrderShippingAddress(input: $input) { ... on Order { id } ... on ErrorResult { errorCode message } } }`,
                {
                    input: {
                        fullName: 'علی رضایی',
                        streetLine1: 'خیابان ولیعصر، پلاک ۱۲',
                        city: 'تهران',
                        province: 'تهران',
                        postalCode: '1345678912',
                        countryCode: 'IR',
                        phoneNumber: '09121234567',
                    },
                },
                shop,
            )
        ).setOrderShippingAddress,
        'setOrderShippingAddress',
    );
    const { eligibleShippingMethods } = await gql(
        'shop-api',
        `{ eligibleShippingMethods { id code } }`,
        {},
        shop,
    );
    const flat = eligibleShippingMethods.find(m => m.code === 'flat-rate');
    ok(
        (
            await gql(
                'shop-api',
                `mutation($id: [ID!]!) { setOrderShippingMethod(shippingMethodId: $id) { ... on Order { id } ... on ErrorResult { errorCode message } } }`,
                { id: [flat.id] },
                shop,
            )
        ).setOrderShippingMethod,
        'setOrderShippingMethod',
    );
    ok(
        (
            await gql(
                'shop-api',
                `mutation { transitionOrderToState(state: "ArrangingPayment") { ... on Order { state } ... on ErrorResult { errorCode message } } }`,
                {},
                shop,
            )
        ).transitionOrderToState,
        'ArrangingPayment',
    );
    const paid = ok(
        (
            await gql(
                'shop-api',
                `mutation { addPaymentToOrder(input: { method: "cash-on-delivery", metadata: {} }) { ... on Order { code state totalWithTax } ... on ErrorResult { errorCode message } } }`,
                {},
                shop,
            )
        ).addPaymentToOrder,
        'addPaymentToOrder',
    );
    if (paid.state !== 'PaymentAuthorized') {
        throw new Error(`cash on delivery left the order in ${paid.state}`);
    }
    console.log(
        `order ${paid.code} placed with cash on delivery: ${paid.state}, totalWithTax ${paid.totalWithTax} (Rial x 100)`,
    );

    // The worker runs the jobs the order raised (search index update of the sold variant's stock, ...).
    const done = await poll(
        'the worker to complete the jobs raised by the order',
        async () => {
            const jobs = (await gql('admin-api', JOBS, {}, admin)).jobs.items.filter(
                j => new Date(j.createdAt) >= placedAt,
            );
            const open = jobs.filter(j => j.state !== 'COMPLETED');
            if (open.some(j => j.state === 'FAILED')) {
                throw new Error(`a job failed: ${JSON.stringify(open)}`);
            }
            return jobs.length > 0 && open.length === 0 ? jobs : undefined;
        },
        60_000,
    );
    const all = (await gql('admin-api', JOBS, {}, admin)).jobs.items;
    const queues = [...new Set(done.map(j => j.queueName))].join(', ');
    console.log(
        `worker completed ${done.length} job(s) raised by the order (${queues}); ${all.filter(j => j.state === 'COMPLETED').length} completed in all`,
    );
}

async function drain(pid, count) {
    const { answered, refused, lost, lastAnswerMs, late } = await sigtermDuringRequests(baseUrl, pid, count);
    console.log(
        `SIGTERM during ${count} concurrent requests: ${answered} answered, ${refused} refused before acceptance, ${lost.length} accepted and lost (last answer ${lastAnswerMs} ms after the signal)`,
    );
    if (lost.length) {
        console.log(JSON.stringify(lost));
        process.exit(1);
    }
    if (answered === 0) {
        console.log('no request was in flight at SIGTERM: the test proved nothing');
        process.exit(1);
    }
    console.log(`a request after SIGTERM: ${late.valid ? 'answered' : (late.error ?? late.status)}`);
}

if (command === 'order') {
    await order();
} else if (command === 'drain') {
    await drain(Number(rest[0]), Number(rest[1] ?? 20));
} else {
    console.error('usage: image-smoke-client.mjs order|drain <base-url> [pid] [count]');
    process.exit(2);
}
