import { ForbiddenError } from '@vendure/core';
import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { describe, expect, it } from 'vitest';

import { isDatabaseFailure } from './database-errors';

describe('isDatabaseFailure', () => {
    it('recognises driver and ORM failures', () => {
        const notAccepting = new DatabaseError(
            'database "shop" is not currently accepting connections',
            0,
            'error',
        );
        expect(isDatabaseFailure(notAccepting)).toBe(true);
        expect(isDatabaseFailure(new QueryRunnerAlreadyReleasedError())).toBe(true);
        expect(isDatabaseFailure(new QueryFailedError('select 1', [], new Error('boom')))).toBe(true);
        expect(isDatabaseFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    });

    it('leaves the errors meant for clients alone', () => {
        expect(isDatabaseFailure(new ForbiddenError())).toBe(false);
        expect(isDatabaseFailure(new Error('Query is too complex'))).toBe(false);
        expect(isDatabaseFailure(undefined)).toBe(false);
    });
});
