import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { UserInputError } from '@vendure/core';
import { Observable } from 'rxjs';

import { describeProblems, OperationInput, ruleArgumentProblems } from '../logic/rule-arguments';

const PROMOTION_MUTATIONS = new Set(['createPromotion', 'updatePromotion']);

/**
 * Refuses `createPromotion` / `updatePromotion` when one of this plugin's rules has an argument it cannot use
 * (tiers like `abc`, a Gregorian date as a Jalali one, an unknown province…): the mutation does not run and the
 * Admin API answers a USER_INPUT_ERROR naming the rule and the argument, in English and Persian, which the Admin
 * UI's promotion editor shows as its error notification. Without this the promotion was saved and never applied.
 */
@Injectable()
export class RuleArgumentsInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
        if (context.getType<string>() !== 'graphql') {
            return next.handle();
        }
        const gql = GqlExecutionContext.create(context);
        const info = gql.getInfo<{ fieldName: string; parentType: { name: string } }>();
        if (info.parentType.name !== 'Mutation' || !PROMOTION_MUTATIONS.has(info.fieldName)) {
            return next.handle();
        }
        const input = gql.getArgs<{ input?: { conditions?: OperationInput[]; actions?: OperationInput[] } }>()
            .input;
        const problems = [...(input?.conditions ?? []), ...(input?.actions ?? [])].flatMap(
            ruleArgumentProblems,
        );
        if (problems.length) {
            throw new UserInputError(describeProblems(problems));
        }
        return next.handle();
    }
}
