/**
 * A plugin's optional observation hook: the plugin emits plain facts (a quote took 120 ms from the cache, a
 * parcel failed) and whoever cares subscribes — the metrics module, a test. Plugins stay free of any metrics
 * library; with no subscriber an emit costs one empty loop. A listener's error never reaches the plugin.
 */
export class Signal<T> {
    private readonly listeners = new Set<(value: T) => void>();

    subscribe(listener: (value: T) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    emit(value: T): void {
        for (const listener of this.listeners) {
            try {
                listener(value);
            } catch {
                // An observer's bug must not break a checkout.
            }
        }
    }
}
