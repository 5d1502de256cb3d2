import type { HardenPluginOptions } from '@vendure/harden-plugin';
import { getOperationAST, getVariableValues } from 'graphql';

type RequestContext = Parameters<NonNullable<HardenPluginOptions['skip']>>[0];

/**
 * HardenPlugin's `skip`: leave a request whose variables do not fit its operation to GraphQL's own execution,
 * which refuses it with a typed error (`BAD_USER_INPUT`, HTTP 400). HardenPlugin's cost estimate coerces the
 * variables itself and throws on bad ones inside Apollo's `didResolveOperation`, which answered every such Shop
 * API request with HTTP 500 (found by the hostile-input fault scenario, test/faults/hostile-input.fault-spec.ts).
 */
export function skipCostOfInvalidVariables(context: RequestContext): boolean {
    const { document, schema, request } = context;
    if (!document) {
        return false;
    }
    const operation = getOperationAST(document, request.operationName);
    if (!operation) {
        return false;
    }
    const { errors } = getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        request.variables ?? {},
    );
    return !!errors?.length;
}
