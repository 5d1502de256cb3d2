/**
 * Starts OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; otherwise does nothing
 * (no SDK module is even loaded, so traces off cost nothing beyond `@opentelemetry/api`'s no-op tracer).
 *
 * It must run before `http`, `express`, `@nestjs/core`, `graphql`, `pg` and `ioredis` are loaded, so their
 * instrumentations can patch them: the entry points (`src/main.ts`, `src/server.ts`, `src/worker.ts`) import it
 * first, and `node --require ./dist/src/tracing/preload.js <script>` does the same for any other script.
 */
import { tracingSettings } from '../config/app-config';

import { tracingStarted } from './tracing-state';

const settings = tracingSettings(process.env);
if (settings && !tracingStarted()) {
    // Loaded only when tracing is on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./sdk') as typeof import('./sdk')).startTracingSdk(settings);
}
