import type { ApolloServerPlugin } from '@apollo/server';
import { DatabaseError } from 'pg';
import { TypeORMError } from 'typeorm';

/** What a client is told instead of a database driver's own words. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The shop could not complete this request; please try again.';

/**
 * A failure of the database or its driver rather than of the request: a PostgreSQL error (SQLSTATE), a TypeORM
 * error (failed query, a query runner released under it when its connection died), or node-postgres losing its
 * connection. Their messages name the database, tables or SQL, so they must not reach clients.
 */
export function isDatabaseFailure(error: unknown): boolean {
    if (error instanceof DatabaseError || error instanceof TypeORMError) {
        return true;
    }
    return (
        error instanceof Error &&
        /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|connect ECONNREFUSED)/.test(
            error.message,
        )
    );
}

/**
 * Replaces the message of GraphQL errors caused by a database failure (e.g. while PostgreSQL restarts) with a
 * neutral one; the original, with its stack, is already logged by Vendure's exception filter with the request
 * id. Found by the fault suite (test/faults/postgres-restart.fault-spec.ts): shoppers were shown
 * `database "<name>" is not currently accepting connections`. Runs in didEncounterErrors, before Vendure's own
 * willSendResponse plugin builds the answer from the same error objects.
 */
export function databaseErrorMaskPlugin(): ApolloServerPlugin {
    return {
        async requestDidStart() {
            return {
                async didEncounterErrors({ errors }) {
                    for (const error of errors) {
                        if (isDatabaseFailure(error.originalError)) {
                            error.message = DATABASE_UNAVAILABLE_MESSAGE;
                        }
                    }
                },
            };
        },
    };
}
