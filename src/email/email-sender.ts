import { Logger } from '@vendure/core';
import {
    EmailDetails,
    EmailSender,
    EmailTransportOptions,
    NodemailerEmailSender,
} from '@vendure/email-plugin';

const loggerCtx = 'Email';

/**
 * Whether an address can never receive mail: its domain is under `.invalid` (RFC 6761), like the placeholder
 * address of customers who signed up with their mobile number (`09…@phone.invalid`).
 */
export function isUndeliverableAddress(address: string): boolean {
    return /\.invalid\.?$/i.test(address.trim().replace(/>$/, ''));
}

/**
 * Vendure's Nodemailer sender, except that mail to an address that can never receive it is dropped (and
 * logged) instead of going to the SMTP server, where it would bounce or fail and be retried.
 */
export class DeliverableOnlyEmailSender implements EmailSender {
    private readonly nodemailer = new NodemailerEmailSender();

    async send(email: EmailDetails, options: EmailTransportOptions): Promise<void> {
        if (isUndeliverableAddress(email.recipient)) {
            Logger.verbose(
                `Not sending "${email.subject}": the recipient's address cannot receive mail`,
                loggerCtx,
            );
            return;
        }
        await this.nodemailer.send(email, options);
    }
}
