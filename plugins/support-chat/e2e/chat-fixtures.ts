import crypto from 'node:crypto';

import { ConfigService, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { io, Socket } from 'socket.io-client';

import { STAFF_PASSWORD } from '../../../src/testing/admin-staff';
import { TestShop } from '../../../src/testing/test-shop';
import type { ConversationPayload, MessageNewEvent, MessagePayload } from '../service/support-chat.service';
import { SupportChatPlugin } from '../support-chat.plugin';
import { SupportChatPluginOptions } from '../types';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
export interface SendData {
    message: MessagePayload;
    conversation: ConversationPayload;
    duplicate: boolean;
}
/** The `message:new` event. */
export type NewMessage = MessageNewEvent;
export interface SyncData {
    conversation: ConversationPayload;
    messages: MessagePayload[];
    hasMore: boolean;
}

/** Test options of the chat plugin, keeping the Redis and widget settings `buildVendureConfig` chose. */
export function withChatOptions(options: SupportChatPluginOptions) {
    return (config: VendureConfig): VendureConfig => {
        SupportChatPlugin.init({
            ...options,
            redis: SupportChatPlugin.options.redis,
            widget: SupportChatPlugin.options.widget,
        });
        return config;
    };
}

/** Connects a real socket.io client to `/chat`; rejects with the server's reason when refused. */
export function connectChat(
    baseUrl: string,
    auth: { token?: string; presence?: string } | undefined,
    extraHeaders?: Record<string, string>,
): Promise<Socket> {
    const socket = io(`${baseUrl}/chat`, {
        auth: auth ?? {},
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders,
    });
    return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', err => {
            socket.close();
            reject(err);
        });
    });
}

export function ack<T>(socket: Socket, event: string, payload?: unknown): Promise<Ack<T>> {
    return socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Resolves with the first `event` matching `match`, or rejects after `timeoutMs`. */
export function nextEvent<T>(
    socket: Socket,
    event: string,
    match: (payload: T) => boolean = () => true,
    timeoutMs = 10_000,
): Promise<T> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            socket.off(event, handler);
            reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        const handler = (payload: T) => {
            if (match(payload)) {
                clearTimeout(timer);
                socket.off(event, handler);
                resolve(payload);
            }
        };
        socket.on(event, handler);
    });
}

/** Collects every `event` a socket receives, to assert later that something did NOT arrive. */
export function collect<T>(socket: Socket, event: string): T[] {
    const seen: T[] = [];
    socket.on(event, (p: T) => seen.push(p));
    return seen;
}

export function cid(): string {
    return crypto.randomUUID();
}

function clientFor(t: TestShop, api: 'shop-api' | 'admin-api'): SimpleGraphQLClient {
    return new SimpleGraphQLClient(
        t.server.app.get(ConfigService) as unknown as Required<VendureConfig>,
        `${t.baseUrl}/${api}`,
    );
}

let roleId: string | undefined;

/** An administrator with a role of `permissions` (default: ManageSupportChat), logged in. */
export async function createStaff(
    t: TestShop,
    name: string,
    permissions: string[] = ['ManageSupportChat'],
): Promise<{ id: string; token: string; client: SimpleGraphQLClient; email: string; roleId: string }> {
    const code = `chat-${crypto.randomBytes(3).toString('hex')}`;
    const { createRole } = await t.admin.query(
        gql`
            mutation ($code: String!, $permissions: [Permission!]!) {
                createRole(input: { code: $code, description: "chat", permissions: $permissions }) {
                    id
                }
            }
        `,
        { code, permissions },
    );
    roleId = createRole.id;
    const email = `${name}-${code}@example.ir`;
    const { createAdministrator } = await t.admin.query(
        gql`
            mutation ($roleId: ID!, $email: String!, $name: String!, $password: String!) {
                createAdministrator(
                    input: {
                        firstName: $name
                        lastName: "Staff"
                        emailAddress: $email
                        password: $password
                        roleIds: [$roleId]
                    }
                ) {
                    id
                }
            }
        `,
        { roleId, email, name, password: STAFF_PASSWORD },
    );
    const client = clientFor(t, 'admin-api');
    await client.asUserWithCredentials(email, STAFF_PASSWORD);
    return {
        id: String(createAdministrator.id),
        token: client.getAuthToken(),
        client,
        email,
        roleId: String(createRole.id),
    };
}

/** A customer with a password, logged in on a new Shop API client. */
export async function createShopper(
    t: TestShop,
    client: SimpleGraphQLClient = clientFor(t, 'shop-api'),
    keepSession = false,
): Promise<{ id: string; token: string; client: SimpleGraphQLClient; email: string }> {
    const email = `shopper-${crypto.randomBytes(4).toString('hex')}@example.ir`;
    const { createCustomer } = await t.admin.query(
        gql`
            mutation ($email: String!) {
                createCustomer(
                    input: { emailAddress: $email, firstName: "Sara", lastName: "Ahmadi" }
                    password: "password-123"
                ) {
                    ... on Customer {
                        id
                    }
                }
            }
        `,
        { email },
    );
    if (keepSession) {
        // Log in over the current (anonymous) session, as a storefront does; asUserWithCredentials logs out first.
        await client.query(
            gql`
                mutation ($email: String!) {
                    login(username: $email, password: "password-123") {
                        ... on CurrentUser {
                            id
                        }
                    }
                }
            `,
            { email },
        );
    } else {
        await client.asUserWithCredentials(email, 'password-123');
    }
    return { id: String(createCustomer.id), token: client.getAuthToken(), client, email };
}

export const SHOP_CONVERSATIONS = gql`
    query {
        supportConversations {
            id
            status
            customerId
            isGuest
            lastSeq
            unreadByShopper
        }
    }
`;

/** A visitor who is not logged in: the first Shop API call gives them an anonymous session. */
export async function createGuest(t: TestShop): Promise<{ token: string; client: SimpleGraphQLClient }> {
    const client = clientFor(t, 'shop-api');
    await client.query(SHOP_CONVERSATIONS);
    return { token: client.getAuthToken(), client };
}
