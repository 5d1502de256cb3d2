import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import {
    InstrumentationStrategy,
    JobQueue,
    PluginCommonModule,
    VendureLogger,
    VendurePlugin,
} from '@vendure/core';
import { registerMethodHooks, TelemetryPlugin } from '@vendure/telemetry-plugin';

import { rootFields } from '../http/graphql-operation';

import { propagateTraceThroughJobs } from './job-trace';

/**
 * Vendure classes whose methods get no span: the asset interceptor walks every GraphQL answer for asset URLs
 * (about ten spans a request that say nothing; measured in docs/benchmarks.md).
 */
const UNTRACED_CLASSES = new Set(['AssetInterceptorPlugin']);

/** Vendure's instrumentation strategy (TelemetryPlugin's), skipping the methods of `classes`. */
function withoutSpansFor(strategy: InstrumentationStrategy, classes: Set<string>): InstrumentationStrategy {
    return {
        init: injector => strategy.init?.(injector),
        destroy: () => strategy.destroy?.(),
        wrapMethod: args =>
            classes.has(args.target.name) ? args.applyOriginalFunction() : strategy.wrapMethod(args),
    };
}

export interface TracingPluginOptions {
    /** The process's logger: TelemetryPlugin replaces it with its OTLP logger, this plugin puts it back. */
    logger: VendureLogger;
}

/**
 * The glue around Vendure's `TelemetryPlugin` (listed just before this one, see {@link tracingPlugins}):
 * - logs stay the project's JSON lines on stdout (they carry `trace_id`/`span_id`), not OTLP log records;
 * - jobs carry the trace context of the request that added them (src/tracing/job-trace.ts).
 * List it after the job queue plugin, whose strategy it wraps.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    configuration: config => {
        config.logger = TracingPlugin.options.logger;
        propagateTraceThroughJobs(config.jobQueueOptions.jobQueueStrategy);
        config.apiOptions.apolloServerPlugins.push(operationSpanName);
        const strategy = config.systemOptions.instrumentationStrategy;
        if (strategy) {
            config.systemOptions.instrumentationStrategy = withoutSpansFor(strategy, UNTRACED_CLASSES);
        }
        return config;
    },
    compatibility: '^3.7.0',
})
export class TracingPlugin {
    static options: TracingPluginOptions;

    static init(options: TracingPluginOptions): typeof TracingPlugin {
        this.options = options;
        return this;
    }
}

/**
 * Names the request's HTTP server span by its GraphQL operation (`mutation addItemToOrder`: type and first root
 * field, bounded by the schema) and records the client's operation name: the GraphQL instrumentation, whose
 * parse/validate/execute spans said the same, is off for its cost (src/tracing/sdk.ts).
 */
const operationSpanName: ApolloServerPlugin = {
    requestDidStart: async () => ({
        didResolveOperation: async ({ operation, operationName }) => {
            const span = trace.getActiveSpan();
            if (!operation || !span?.isRecording()) {
                return;
            }
            const field = rootFields(operation)[0]?.name.value ?? 'unknown';
            span.updateName(`${operation.operation} ${field}`);
            span.setAttribute('graphql.operation.type', operation.operation);
            span.setAttribute('graphql.operation.root_field', field);
            if (operationName) {
                span.setAttribute('graphql.operation.name', operationName);
            }
        },
    }),
};

/**
 * Vendure's TelemetryPlugin records every job's whole data on the `JobQueue.add` span (`job.data`): e-mail
 * addresses, links with tokens. This hook replaces that one and records the queue only.
 */
const jobQueueAddHooks = registerMethodHooks(JobQueue, {
    add: {
        pre: ({ instance, span }) => {
            span.setAttribute('job.queueName', instance.name);
        },
    },
});

/**
 * The plugins of a process whose tracing SDK runs (src/tracing/preload.ts): Vendure's TelemetryPlugin (spans of
 * Vendure's services, the cache and the event bus) and the project's glue. Without the SDK there are none: Vendure
 * then instruments nothing (its `@Instrument()` classes stay plain).
 */
export function tracingPlugins(logger: VendureLogger): Array<typeof TelemetryPlugin | typeof TracingPlugin> {
    return [TelemetryPlugin.init({ methodHooks: [jobQueueAddHooks] }), TracingPlugin.init({ logger })];
}
