import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('iran-shop.providers');

/**
 * Runs one call of a provider client (Zibal, SMS.ir, Postex) in a span named `<provider>.<operation>` (e.g.
 * `zibal.verify`, `postex.quote`) with the attributes `provider.name`, `provider.operation` and
 * `provider.outcome` (`ok`, or the client's typed failure: `timeout`, `insufficient-credit`, `result-102`...).
 * Only those: never request or response bodies, so no key, code, phone or card number reaches a trace.
 * Without a tracing SDK (traces off) the tracer is OpenTelemetry's no-op and `call` just runs.
 */
export function providerSpan<T>(
    provider: string,
    operation: string,
    call: () => Promise<T>,
    outcomeOf: (result: T) => string,
): Promise<T> {
    return tracer.startActiveSpan(
        `${provider}.${operation}`,
        {
            kind: SpanKind.CLIENT,
            attributes: { 'provider.name': provider, 'provider.operation': operation },
        },
        async span => {
            try {
                const result = await call();
                const outcome = outcomeOf(result);
                span.setAttribute('provider.outcome', outcome);
                if (outcome !== 'ok') {
                    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
                }
                return result;
            } catch (e) {
                span.setAttribute('provider.outcome', 'exception');
                span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.name });
                throw e;
            } finally {
                span.end();
            }
        },
    );
}
