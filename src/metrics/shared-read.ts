/**
 * One read for all the gauges of one scrape: the collectors of a scrape run concurrently, so they share the
 * promise in flight; the next scrape reads afresh.
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
    let pending: Promise<T> | undefined;
    return () => {
        pending ??= read().finally(() => {
            pending = undefined;
        });
        return pending;
    };
}
