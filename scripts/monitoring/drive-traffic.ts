/**
 * Traffic for the real-Prometheus test (scripts/ci/prometheus-e2e.sh): checkouts paid through the Zibal
 * simulator's bank page, then a failing Postex (armed through the simulators' control API) until the quote
 * breaker opens. Usage: node dist/scripts/monitoring/drive-traffic.js <shop URL> <simulator URL> <checkouts> <seconds of Postex down>
 */
import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    CREATE_ZIBAL_INTENT,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
} from '../../src/testing/checkout-helpers';

const ELIGIBLE = gql`
    query {
        eligibleShippingMethods {
            code
            price
        }
    }
`;

async function main(): Promise<void> {
    const [shop, simulators, count, seconds] = process.argv.slice(2);
    const config = {
        authOptions: { authTokenHeaderKey: 'vendure-auth-token' },
        apiOptions: { channelTokenKey: 'vendure-token' },
    } as unknown as Required<VendureConfig>;
    const client = () => new SimpleGraphQLClient(config, `${shop}/shop-api`);
    const { products } = await client().query(FIRST_VARIANT_IDS);
    const variantId = products.items[0].variants[0].id;
    for (let i = 0; i < Number(count); i++) {
        const c = client();
        await prepareOrderForPayment(c, {
            variantId,
            email: `prometheus-${i}@example.ir`,
            phone: '09120000000',
        });
        const { createZibalPaymentIntent: intent } = await c.query(CREATE_ZIBAL_INTENT);
        if (intent.__typename !== 'ZibalPaymentIntent') {
            throw new Error(`createZibalPaymentIntent: ${intent.__typename}`);
        }
        // The shopper pays on the bank page; Zibal sends the browser back to the shop's callback.
        const bank = await fetch(`${simulators}/zibal/start/${intent.trackId}/pay`, {
            method: 'POST',
            redirect: 'manual',
        });
        const callback = bank.headers.get('location');
        if (!callback) {
            throw new Error(`bank page answered ${bank.status} without a redirect`);
        }
        const back = await fetch(callback, { redirect: 'manual' });
        console.log(`checkout ${i + 1}: callback ${back.status}`);
    }
    // Postex fails from now on: every quote is a 500 until the breaker opens.
    await fetch(`${simulators}/__control/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
            provider: 'postex',
            path: '/shipping/quotes',
            fault: { kind: 'http-error', status: 500 },
            times: 1000,
        }),
    });
    const c = client();
    await prepareOrderForPayment(c, {
        variantId,
        email: 'postex-down@example.ir',
        city: 'مرکز اصفهان',
        province: 'اصفهان',
    });
    // Shoppers keep asking for prices while Postex is down (until this process is stopped, at most `seconds`).
    const until = Date.now() + Number(seconds ?? 5) * 1000;
    for (let i = 1; Date.now() < until; i++) {
        const { eligibleShippingMethods } = await c.query(ELIGIBLE);
        if (i <= 4) {
            console.log(`quote ${i}: ${JSON.stringify(eligibleShippingMethods)}`);
        }
        await new Promise(resolve => setTimeout(resolve, 2000));
    }
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
