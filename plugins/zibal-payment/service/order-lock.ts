import { Injectable } from '@nestjs/common';
import { ID, Order, RequestContext, TransactionalConnection } from '@vendure/core';

/** Prefix of the plugin's PostgreSQL advisory lock keys (hashed with the database name and the order id). */
const ORDER_LOCK_CLASS = 'zibal-order';

/**
 * One order at a time: settling a Zibal payment and moving the order out of ArrangingPayment take this lock.
 *
 * On PostgreSQL it is a transaction-scoped advisory lock (`pg_advisory_xact_lock`), so it holds across server
 * processes and is released when the transaction that took it ends. SQLite is used by one process only (the
 * embedded profile), and TypeORM runs all of its transactions on one connection, so there the lock is a queue
 * in this process.
 */
@Injectable()
export class OrderLock {
    private readonly queues = new Map<string, Promise<unknown>>();

    constructor(private readonly connection: TransactionalConnection) {}

    /** Runs `work` in a new transaction that holds the order's lock until it commits or rolls back. */
    run<T>(ctx: RequestContext, orderId: ID, work: (txCtx: RequestContext) => Promise<T>): Promise<T> {
        if (this.isPostgres()) {
            return this.connection.withTransaction(ctx, async txCtx => {
                await this.take(txCtx, orderId);
                return work(txCtx);
            });
        }
        return this.queued(orderId, () => this.connection.withTransaction(ctx, work));
    }

    /**
     * Takes the order's lock in the caller's transaction and runs `check`. On PostgreSQL the lock is held until
     * that transaction ends, so what the caller then writes cannot interleave with a settle; on SQLite it is
     * held while `check` runs.
     */
    async check<T>(ctx: RequestContext, orderId: ID, check: () => Promise<T>): Promise<T> {
        if (this.isPostgres()) {
            await this.take(ctx, orderId);
            return check();
        }
        return this.queued(orderId, check);
    }

    private isPostgres(): boolean {
        return this.connection.rawConnection.options.type === 'postgres';
    }

    private async take(ctx: RequestContext, orderId: ID): Promise<void> {
        await this.connection
            .getRepository(ctx, Order)
            // Advisory locks are shared by every database of the PostgreSQL server: the key includes this
            // database's name, so order 42 of another shop on the same server (staging, a second shop) never
            // waits for this one's.
            .query(
                "SELECT pg_advisory_xact_lock(hashtextextended(current_database() || ':' || $1 || ':' || $2, 0))",
                [ORDER_LOCK_CLASS, String(orderId)],
            );
    }

    private async queued<T>(orderId: ID, work: () => Promise<T>): Promise<T> {
        const key = String(orderId);
        const result = (this.queues.get(key) ?? Promise.resolve()).then(work);
        const tail = result.catch(() => undefined);
        this.queues.set(key, tail);
        try {
            return await result;
        } finally {
            if (this.queues.get(key) === tail) {
                this.queues.delete(key);
            }
        }
    }
}
