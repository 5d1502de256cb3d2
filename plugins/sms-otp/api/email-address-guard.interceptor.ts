import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
// Vendure resolves its result unions to the error member only for instances of this class.
import { ErrorResult } from '@vendure/core/dist/common/error/generated-graphql-shop-errors';
import { Observable, of } from 'rxjs';

import { normalizeIranianMobile } from '../../../src/iran';
import { isPlaceholderEmail, PLUGIN_INIT_OPTIONS } from '../constants';
import { ResolvedSmsOtpOptions } from '../types';

/**
 * Shop API mutations whose email address becomes a login (User identifier) or is matched against the
 * Customers of existing accounts, and where to find it in the arguments.
 */
type Args = { input?: { emailAddress?: unknown }; newEmailAddress?: unknown };
const EMAIL_ARGUMENT: Record<string, (args: Args) => unknown> = {
    registerCustomerAccount: args => args.input?.emailAddress,
    requestUpdateCustomerEmailAddress: args => args.newEmailAddress,
    setCustomerForOrder: args => args.input?.emailAddress,
};

export class EmailAddressNotAllowedError extends ErrorResult {
    readonly __typename = 'EmailAddressNotAllowedError';
    readonly errorCode = 'EMAIL_ADDRESS_NOT_ALLOWED_ERROR';
    readonly message = 'Enter an email address; to sign up with a mobile number, ask for an SMS code';
    readonly messageFa = 'یک نشانی ایمیل وارد کنید؛ برای ثبت‌نام با شماره موبایل، کد پیامکی درخواست کنید';
}

/**
 * Keeps the Shop API's email inputs away from the addresses phone-only accounts own:
 * - a mobile number as the "email" of `registerCustomerAccount` would become a User identifier equal to the
 *   number, which then blocks the number's owner from signing up by SMS;
 * - the placeholder address of a phone-only account (`09…@phone.invalid`) is what Vendure's registration and
 *   email-change flows look Customers up by: registering it would move that shopper's Customer onto the
 *   caller's new User.
 * Such inputs get `EmailAddressNotAllowedError` and the mutation does not run.
 */
@Injectable()
export class EmailAddressGuardInterceptor implements NestInterceptor {
    constructor(@Inject(PLUGIN_INIT_OPTIONS) private readonly options: ResolvedSmsOtpOptions) {}

    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
        if (context.getType<string>() !== 'graphql') {
            return next.handle();
        }
        const gqlContext = GqlExecutionContext.create(context);
        const info = gqlContext.getInfo<{ fieldName: string; parentType: { name: string } }>();
        const emailOf = info.parentType.name === 'Mutation' ? EMAIL_ARGUMENT[info.fieldName] : undefined;
        const address = emailOf?.(gqlContext.getArgs<Args>());
        if (typeof address === 'string' && this.isReserved(address)) {
            return of(new EmailAddressNotAllowedError());
        }
        return next.handle();
    }

    private isReserved(address: string): boolean {
        return (
            isPlaceholderEmail(address.trim(), this.options.placeholderEmailDomain) ||
            normalizeIranianMobile(address) !== undefined
        );
    }
}
