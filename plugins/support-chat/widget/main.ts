/**
 * The storefront support chat widget. Include it with one tag:
 *
 *     <script src="https://shop.example/support-chat/widget.js" defer></script>
 *
 * Optional attributes on that tag: `data-lang="en"` (default Persian, right to left), `data-server` (the
 * Vendure server's origin; default the script's own), `data-shop-api` (default `<server>/shop-api`),
 * `data-token-key` (localStorage key of the Vendure bearer token; default `vendure-auth-token`),
 * `data-max-length` (default 2000). The plugin README describes the `window.SupportChat` API.
 */
import { ChatClient } from './chat-client';
import { stringsFor } from './i18n';
import { ShopSession } from './session';
import { ChatView } from './view';

export interface SupportChatApi {
    open(): void;
    close(): void;
    /** Use this Vendure bearer token (a storefront keeping it elsewhere than localStorage); `null` = back to the storage key. */
    setToken(token: string | null): void;
    /** Closes the socket (e.g. while the shopper logs out); `connect()` opens it again and catches up. */
    disconnect(): void;
    connect(): void;
    readonly status: string;
}

declare global {
    interface Window {
        SupportChat?: SupportChatApi;
    }
}

function ownScript(): HTMLScriptElement | undefined {
    const current = document.currentScript;
    if (current instanceof HTMLScriptElement) {
        return current;
    }
    // Loaded in a way that leaves no currentScript (e.g. injected as a module): find our tag.
    const tags = Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]'));
    return tags.find(s => /\/support-chat\/widget\.js(\?|#|$)/.test(s.src));
}

function install(script: HTMLScriptElement | undefined): void {
    if (window.SupportChat) {
        return; // included twice
    }
    const data = script?.dataset ?? {};
    const server = (
        data.server ?? (script?.src ? new URL(script.src).origin : window.location.origin)
    ).replace(/\/$/, '');
    const session = new ShopSession(
        data.shopApi ?? `${server}/shop-api`,
        data.tokenKey ?? 'vendure-auth-token',
    );
    const client = new ChatClient(server, session);
    const maxLength = Number(data.maxLength) > 0 ? Number(data.maxLength) : 2000;
    const view = new ChatView(client, stringsFor(data.lang), maxLength);

    const mount = () => document.body.append(view.host);
    if (document.body) {
        mount();
    } else {
        document.addEventListener('DOMContentLoaded', mount, { once: true });
    }

    // The storefront may store another token in this tab (login) or another tab may: pick it up.
    window.addEventListener('storage', () => client.tokenChanged());
    window.addEventListener('focus', () => client.tokenChanged());

    window.SupportChat = {
        open: () => view.open(),
        close: () => view.close(),
        setToken: token => {
            session.setToken(token);
            client.tokenChanged();
        },
        disconnect: () => client.disconnect(),
        connect: () => client.connect(),
        get status() {
            return client.status;
        },
    };
    client.start();
}

install(ownScript());
