import fs from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fetchSortedSdl, SDL_FILES } from '../src/api-contract/export-schema';
import { createTestShop, TestShop } from '../src/testing/test-shop';

// The committed contract (docs/api/*.graphql) is what a running server serves: `npm run schema:export` was run
// after the last API change. A failure here means: run it and commit the files.
describe('committed GraphQL SDL', () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ seed: false });
    });

    afterAll(async () => {
        await t?.close();
    });

    it.each(['shop', 'admin'] as const)('docs/api/%s-api.graphql matches the running server', async api => {
        const served = await fetchSortedSdl(t.baseUrl, api);
        expect(served).toBe(fs.readFileSync(SDL_FILES[api], 'utf8'));
    });
});
