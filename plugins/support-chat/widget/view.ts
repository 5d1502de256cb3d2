import type { ChatClient, ThreadItem } from './chat-client';
import type { Strings } from './i18n';
import { WIDGET_CSS } from './styles';

type Attrs = Record<string, string | boolean>;

/** Builds an element with attributes and children. Text only ever goes in through text nodes. */
function h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Attrs = {},
    ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        if (value === true) {
            el.setAttribute(name, '');
        } else if (value !== false) {
            el.setAttribute(name, value);
        }
    }
    for (const child of children) {
        el.append(child);
    }
    return el;
}

function chatIcon(): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z');
    svg.append(path);
    return svg;
}

/** Counts characters as the server does (code points), so an emoji is one. */
export function codePoints(s: string): number {
    return Array.from(s).length;
}

/**
 * The launcher button and the chat panel in a shadow root. Renders the client's state; message bodies are
 * set with `textContent` only.
 */
export class ChatView {
    readonly host: HTMLElement;
    private readonly launcher: HTMLButtonElement;
    private readonly badge: HTMLSpanElement;
    private readonly panel: HTMLElement;
    private readonly status: HTMLParagraphElement;
    private readonly log: HTMLOListElement;
    private readonly empty: HTMLLIElement;
    private readonly typing: HTMLParagraphElement;
    private readonly error: HTMLParagraphElement;
    private readonly input: HTMLTextAreaElement;
    private readonly counter: HTMLSpanElement;
    private readonly sendButton: HTMLButtonElement;
    private readonly rows = new Map<string, HTMLLIElement>();
    private readonly number: Intl.NumberFormat;
    private readonly time: Intl.DateTimeFormat;
    private isOpen = false;

    constructor(
        private readonly client: ChatClient,
        private readonly t: Strings,
        private readonly maxLength: number,
    ) {
        this.number = new Intl.NumberFormat(t.locale);
        this.time = new Intl.DateTimeFormat(t.locale, { hour: '2-digit', minute: '2-digit' });
        this.host = h('div', { 'data-support-chat': '' });
        const shadow = this.host.attachShadow({ mode: 'open' });
        adoptStyles(shadow);

        this.badge = h('span', { class: 'badge', hidden: true });
        this.launcher = h(
            'button',
            { type: 'button', class: 'launcher', 'aria-label': t.launcher, 'aria-expanded': 'false' },
            chatIcon(),
            this.badge,
        );
        this.status = h('p', { class: 'status', role: 'status' });
        const close = h('button', { type: 'button', class: 'close', 'aria-label': t.close }, '×');
        this.empty = h('li', { class: 'empty' }, t.empty);
        this.log = h('ol', {
            class: 'log',
            role: 'log',
            'aria-live': 'polite',
            'aria-label': t.messages,
            tabindex: '0',
        });
        this.typing = h('p', { class: 'typing', hidden: true }, t.staffTyping);
        this.error = h('p', { class: 'error', role: 'alert', hidden: true });
        this.input = h('textarea', {
            id: 'support-chat-input',
            rows: '2',
            placeholder: t.placeholder,
            'aria-describedby': 'support-chat-counter',
        });
        this.counter = h('span', { class: 'counter', id: 'support-chat-counter' });
        this.sendButton = h('button', { type: 'submit', class: 'send' }, t.send);
        const form = h(
            'form',
            {},
            h(
                'div',
                { class: 'field' },
                h('label', { class: 'sr', for: 'support-chat-input' }, t.input),
                this.input,
                this.counter,
            ),
            this.sendButton,
        );
        this.panel = h(
            'section',
            { class: 'panel', role: 'dialog', 'aria-labelledby': 'support-chat-title', hidden: true },
            h(
                'header',
                {},
                h('div', { class: 'titles' }, h('h2', { id: 'support-chat-title' }, t.title), this.status),
                close,
            ),
            h('p', { class: 'hint' }, t.hint),
            this.log,
            this.typing,
            this.error,
            form,
        );
        this.launcher.setAttribute('aria-controls', 'support-chat-panel');
        this.panel.id = 'support-chat-panel';
        shadow.append(
            h('div', { class: 'root', dir: t.dir, lang: t.locale.slice(0, 2) }, this.panel, this.launcher),
        );

        this.launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
        close.addEventListener('click', () => this.close());
        this.panel.addEventListener('keydown', e => {
            if (e.key === 'Escape') {
                this.close();
            }
        });
        form.addEventListener('submit', e => {
            e.preventDefault();
            this.submit();
        });
        this.input.addEventListener('keydown', e => {
            // Enter sends, Shift+Enter is a new line; not while an IME composes (Persian keyboards rarely do).
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                this.submit();
            }
        });
        this.input.addEventListener('input', () => {
            this.renderCounter();
            this.client.typing();
        });
        this.log.addEventListener('click', e => this.rowAction(e));
        document.addEventListener('visibilitychange', () => this.client.setVisible(this.isOpen));
        client.onChange(() => this.render());
        this.render();
    }

    open(): void {
        if (this.isOpen) {
            return;
        }
        this.isOpen = true;
        this.panel.hidden = false;
        this.launcher.setAttribute('aria-expanded', 'true');
        this.render();
        this.scrollToEnd();
        this.input.focus();
        void this.client.engage().catch(() => undefined);
        this.client.setVisible(true);
    }

    close(): void {
        if (!this.isOpen) {
            return;
        }
        this.isOpen = false;
        this.panel.hidden = true;
        this.launcher.setAttribute('aria-expanded', 'false');
        this.client.setVisible(false);
        this.launcher.focus();
    }

    private submit(): void {
        const body = this.input.value.trim();
        if (!body) {
            return;
        }
        if (codePoints(body) > this.maxLength) {
            this.showError(this.t.errors.MESSAGE_TOO_LONG);
            return;
        }
        this.client.send(body);
        this.input.value = '';
        this.renderCounter();
        this.showError(undefined);
        this.scrollToEnd();
    }

    private rowAction(e: Event): void {
        const button = (e.target as Element).closest('button[data-action]');
        const row = button?.closest('li');
        const id = row?.getAttribute('data-client-id');
        if (!button || !id) {
            return;
        }
        if (button.getAttribute('data-action') === 'retry') {
            this.client.retry(id);
        } else {
            this.client.discard(id);
        }
    }

    private render(): void {
        const t = this.t;
        this.status.textContent = t.status[this.client.status];
        const unread = this.client.unreadCount;
        this.badge.hidden = unread === 0 || this.isOpen;
        this.badge.textContent = this.number.format(unread);
        this.launcher.setAttribute(
            'aria-label',
            unread ? `${t.launcher} (${t.unread(this.number.format(unread))})` : t.launcher,
        );
        this.typing.hidden = !this.client.staffTyping;
        this.renderCounter();
        this.renderThread(this.client.thread);
    }

    /** Keyed update of the message rows, so re-renders keep nodes (and the reader's scroll position). */
    private renderThread(items: ThreadItem[]): void {
        const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
        const keep = new Set<string>();
        let previous: Element | null = null;
        for (const item of items) {
            keep.add(item.key);
            let row = this.rows.get(item.key);
            if (!row) {
                row = h('li');
                this.rows.set(item.key, row);
            }
            this.fillRow(row, item);
            const expected: Element | null = previous
                ? previous.nextElementSibling
                : this.log.firstElementChild;
            if (expected !== row) {
                this.log.insertBefore(row, expected);
            }
            previous = row;
        }
        for (const [key, row] of this.rows) {
            if (!keep.has(key)) {
                row.remove();
                this.rows.delete(key);
            }
        }
        if (items.length === 0) {
            this.log.append(this.empty);
        } else {
            this.empty.remove();
        }
        const failed = items.find(i => i.state === 'failed');
        this.showError(failed?.error ? this.t.errors[failed.error] : undefined);
        if (atEnd) {
            this.scrollToEnd();
        }
    }

    private fillRow(row: HTMLLIElement, item: ThreadItem): void {
        const t = this.t;
        const signature = `${item.state}|${item.error ?? ''}|${item.body}`;
        if (row.getAttribute('data-signature') === signature) {
            return;
        }
        row.setAttribute('data-signature', signature);
        row.className = `msg ${item.mine ? 'mine' : 'theirs'} ${item.state}`;
        if (item.seq !== undefined) {
            row.setAttribute('data-seq', String(item.seq));
        }
        if (item.clientMessageId) {
            row.setAttribute('data-client-id', item.clientMessageId);
        }
        const body = h('p', { class: 'body' });
        body.textContent = item.body;
        const who = item.mine ? t.you : t.staff;
        const when = this.time.format(new Date(item.createdAt));
        const state =
            item.state === 'pending' ? ` · ${t.pending}` : item.state === 'seen' ? ` · ${t.seen}` : '';
        const meta = h('span', { class: 'meta' });
        meta.textContent = `${who} · ${when}${state}`;
        row.replaceChildren(body, meta);
        if (item.state === 'failed') {
            row.append(
                h(
                    'span',
                    { class: 'actions' },
                    h('button', { type: 'button', 'data-action': 'retry' }, t.retry),
                    h('button', { type: 'button', 'data-action': 'discard' }, t.discard),
                ),
            );
        }
    }

    private renderCounter(): void {
        const n = codePoints(this.input.value.trim());
        const over = n > this.maxLength;
        this.counter.textContent = this.t.counter(this.number.format(n), this.number.format(this.maxLength));
        this.counter.classList.toggle('over', over);
        this.sendButton.disabled = n === 0 || over;
    }

    private showError(text: string | undefined): void {
        this.error.hidden = !text;
        this.error.textContent = text ?? '';
    }

    private scrollToEnd(): void {
        this.log.scrollTop = this.log.scrollHeight;
    }
}

/** Constructable stylesheets are not inline styles for CSP; older browsers get a `<style>` element. */
function adoptStyles(shadow: ShadowRoot): void {
    if (
        'adoptedStyleSheets' in shadow &&
        typeof CSSStyleSheet !== 'undefined' &&
        'replaceSync' in CSSStyleSheet.prototype
    ) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(WIDGET_CSS);
        shadow.adoptedStyleSheets = [sheet];
        return;
    }
    shadow.append(h('style', {}, WIDGET_CSS));
}
