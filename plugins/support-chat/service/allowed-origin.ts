import type { ApiOptions } from '@vendure/core';

type CorsOption = ApiOptions['cors'];
type OriginOption = Exclude<Exclude<CorsOption, boolean | undefined>['origin'], undefined>;
type StaticOrigin = Exclude<OriginOption, (...args: never[]) => unknown>;

/**
 * Whether a browser page on `origin` may use the shop's session cookie on this server: the page's own origin
 * (the `Host` it connected to), or an origin Vendure's CORS setting (`apiOptions.cors`) lets read the APIs with
 * credentials. A missing or opaque (`null`) origin is not allowed.
 *
 * CORS as Nest applies it: `cors: true`, a missing `origin` and `'*'` answer `*`, which browsers never honour
 * with credentials, so they allow no other origin; `origin: true` reflects any origin.
 */
export async function isAllowedOrigin(
    cors: CorsOption,
    origin: string | undefined,
    host: string | undefined,
): Promise<boolean> {
    if (!origin || origin === 'null') {
        return false;
    }
    if (host && sameHost(origin, host)) {
        return true;
    }
    if (typeof cors !== 'object' || cors.origin === undefined) {
        return false;
    }
    const option = cors.origin;
    const allowed: StaticOrigin | undefined =
        typeof option === 'function'
            ? await new Promise<StaticOrigin | undefined>(resolve =>
                  option(origin, (err, result) => resolve(err ? false : result)),
              )
            : option;
    return matches(allowed, origin);
}

function matches(allowed: StaticOrigin | undefined, origin: string): boolean {
    if (Array.isArray(allowed)) {
        return allowed.some(a => matches(a, origin));
    }
    if (allowed instanceof RegExp) {
        allowed.lastIndex = 0;
        return allowed.test(origin);
    }
    if (typeof allowed === 'string') {
        return allowed !== '*' && allowed === origin;
    }
    return allowed === true;
}

function sameHost(origin: string, host: string): boolean {
    try {
        return new URL(origin).host === new URL(`http://${host}`).host;
    } catch {
        return false;
    }
}
