/**
 * Vendure's CacheService logs its keys at debug level, and the session cache's key is the session token itself
 * (`vendure-session-cache:<token>`): a log reader could take over the session. Redacted from the verbose and
 * debug log levels and from exported spans (src/tracing/sdk.ts). No imports: the tracing preload loads it before
 * Vendure.
 */
export function redactSessionKeys(message: string): string {
    return message.includes('session-cache:')
        ? message.replace(/(session-cache:)[A-Za-z0-9_-]+/g, '$1[redacted]')
        : message;
}
