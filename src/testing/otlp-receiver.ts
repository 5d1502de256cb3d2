import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exported span, flattened from an OTLP/HTTP JSON export request. */
export interface ReceivedSpan {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    kind: number;
    /** `service.name` of the process that exported it. */
    service: string;
    attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
    stringValue?: string;
    intValue?: number | string;
    doubleValue?: number;
    boolValue?: boolean;
}
interface OtlpAttribute {
    key: string;
    value: OtlpValue;
}
interface OtlpExport {
    resourceSpans?: Array<{
        resource?: { attributes?: OtlpAttribute[] };
        scopeSpans?: Array<{
            spans?: Array<{
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                name: string;
                kind: number;
                attributes?: OtlpAttribute[];
            }>;
        }>;
    }>;
}

/** Keys of an OTLP/JSON export whose values the SDK generates: random ids and clock readings. */
const GENERATED_KEYS = new Set([
    'traceId',
    'spanId',
    'parentSpanId',
    'startTimeUnixNano',
    'endTimeUnixNano',
    'timeUnixNano',
]);

/**
 * A minimal OTLP/HTTP trace receiver (`POST /v1/traces`, JSON encoding, as `@opentelemetry/exporter-trace-otlp-http`
 * sends by default) for tests and benchmarks: keeps every request body as received, and the spans parsed from them.
 */
export class OtlpReceiver {
    /** Every export request body, verbatim: what left the shop's processes. */
    readonly bodies: string[] = [];
    readonly spans: ReceivedSpan[] = [];
    /** Keep only counts (benchmarks): bodies and spans are not stored. */
    countOnly = false;
    exports = 0;
    private server?: http.Server;

    async listen(host = '127.0.0.1'): Promise<string> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', (c: Buffer) => chunks.push(c));
            req.on('end', () => {
                if (req.method !== 'POST' || req.url !== '/v1/traces') {
                    res.writeHead(404).end();
                    return;
                }
                this.exports++;
                if (!this.countOnly) {
                    const body = Buffer.concat(chunks).toString('utf8');
                    this.bodies.push(body);
                    this.spans.push(...parseExport(JSON.parse(body) as OtlpExport));
                }
                res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
            });
        });
        await new Promise<void>(resolve => this.server!.listen(0, host, resolve));
        return `http://${host}:${(this.server.address() as AddressInfo).port}`;
    }

    /**
     * What the shop's code put into the exports: every body without the ids and timestamps the SDK makes up. A
     * six-digit OTP code turns up by chance among the digits of thousands of random ids and nanosecond clock readings
     * (it did, once in CI), which is no leak; in a name, an attribute, an event or the resource it would be one.
     */
    content(): string {
        return this.bodies
            .map(body =>
                JSON.stringify(JSON.parse(body), (key: string, value: unknown) =>
                    GENERATED_KEYS.has(key) ? undefined : value,
                ),
            )
            .join('\n');
    }

    /** The spans of one trace. */
    trace(traceId: string): ReceivedSpan[] {
        return this.spans.filter(s => s.traceId === traceId);
    }

    close(): Promise<void> {
        return new Promise(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}

function parseExport(body: OtlpExport): ReceivedSpan[] {
    const spans: ReceivedSpan[] = [];
    for (const rs of body.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
        for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
                spans.push({
                    traceId: s.traceId,
                    spanId: s.spanId,
                    parentSpanId: s.parentSpanId || undefined,
                    name: s.name,
                    kind: s.kind,
                    service,
                    attributes: attributesOf(s.attributes),
                });
            }
        }
    }
    return spans;
}

function attributesOf(list: OtlpAttribute[] = []): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const { key, value } of list) {
        const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
        if (v !== undefined) {
            out[key] = typeof v === 'string' && value.intValue !== undefined ? Number(v) : v;
        }
    }
    return out;
}

/** A random W3C `traceparent` (sampled) and its trace id, for a test request that starts a known trace. */
export function newTraceparent(): { traceparent: string; traceId: string } {
    const hex = (bytes: number) =>
        Array.from({ length: bytes }, () =>
            Math.floor(Math.random() * 256)
                .toString(16)
                .padStart(2, '0'),
        ).join('');
    const traceId = hex(16);
    return { traceparent: `00-${traceId}-${hex(8)}-01`, traceId };
}
