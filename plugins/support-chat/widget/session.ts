/** The storefront's Vendure session: the bearer token the widget connects with, and how a guest gets one. */
export class ShopSession {
    /** Set through the JS API (`setToken`); `undefined` means "read the storage key". */
    private explicitToken: string | undefined;

    constructor(
        private readonly shopApiUrl: string,
        private readonly tokenKey: string,
        private readonly authTokenHeader = 'vendure-auth-token',
    ) {}

    /** The current token: the one set through the JS API, else the one under the storage key, if any. */
    get token(): string | undefined {
        if (this.explicitToken !== undefined) {
            return this.explicitToken;
        }
        try {
            return window.localStorage.getItem(this.tokenKey) ?? undefined;
        } catch {
            // Storage blocked (privacy settings): a same-origin cookie session may still work.
            return undefined;
        }
    }

    /** A storefront that keeps the token elsewhere hands it over; `null` goes back to the storage key. */
    setToken(token: string | null): void {
        this.explicitToken = token ?? undefined;
    }

    /**
     * Makes one Shop API call that needs a session (the shopper's own conversations, `Owner` permission):
     * without a valid session Vendure creates an anonymous one and answers with its token in the
     * `vendure-auth-token` header (and the session cookie). The token is stored under the storage key so the
     * storefront continues the same session; a guest who logs in on it keeps their conversation.
     */
    async ensureSession(): Promise<void> {
        const current = this.token;
        const res = await fetch(this.shopApiUrl, {
            method: 'POST',
            credentials: 'include',
            headers: {
                'content-type': 'application/json',
                ...(current ? { authorization: `Bearer ${current}` } : {}),
            },
            body: JSON.stringify({ query: 'query SupportChatSession { supportConversations { id } }' }),
        });
        if (!res.ok) {
            throw new Error(`Shop API answered ${res.status}`);
        }
        const issued = res.headers.get(this.authTokenHeader);
        if (!issued || issued === current) {
            return;
        }
        if (this.explicitToken !== undefined) {
            this.explicitToken = issued;
            return;
        }
        try {
            window.localStorage.setItem(this.tokenKey, issued);
        } catch {
            this.explicitToken = issued;
        }
    }
}
