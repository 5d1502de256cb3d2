import type { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { waitFor } from '../../src/testing/test-shop';

/**
 * For tests and benchmarks: resolves once the places sync job (queued at start) has filled `postexCities`, so
 * checkout quotes can resolve city codes.
 */
export async function waitForPostexPlaces(shop: SimpleGraphQLClient): Promise<void> {
    await waitFor(
        async () => (await shop.query(POSTEX_CITIES)).postexCities.length > 0,
        30_000,
        'the Postex places sync job',
    );
}

const POSTEX_CITIES = gql`
    {
        postexCities {
            code
        }
    }
`;
