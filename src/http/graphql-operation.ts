import { FieldNode, Kind, OperationDefinitionNode } from 'graphql';

/** The operation's root fields written directly in it (not `__typename`): what names it in metrics and traces. */
export function rootFields(operation: OperationDefinitionNode): FieldNode[] {
    return operation.selectionSet.selections.flatMap(s =>
        s.kind === Kind.FIELD && s.name.value !== '__typename' ? [s] : [],
    );
}
