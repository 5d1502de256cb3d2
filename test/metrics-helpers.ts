/** One sample of a Prometheus text exposition: name, labels, value. */
export interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
}

/** Parses the Prometheus text format (enough of it for tests: no escaped quotes in label values). */
export function parseExposition(text: string): Sample[] {
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) {
            continue;
        }
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
        if (!m) {
            continue;
        }
        const labels: Record<string, string> = {};
        for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
            labels[l[1]] = l[2];
        }
        samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
    return samples
        .filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
}

/** Every series name in a scrape, with the histogram/summary suffixes too (`_bucket`, `_sum`, `_count`). */
export function exportedFamilies(samples: Sample[]): string[] {
    return [...new Set(samples.map(s => s.name))].sort();
}
