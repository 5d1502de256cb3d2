/** The widget's CSS, inside its shadow root so the storefront's styles and ours do not meet. */
export const WIDGET_CSS = `
:host { all: initial; }
.root {
    --accent: #0f766e; --accent-fg: #fff; --bg: #fff; --fg: #1f2937; --muted: #6b7280; --mine: #e6f4f1; --theirs: #f3f4f6;
    font-family: Vazirmatn, Tahoma, "Segoe UI", system-ui, -apple-system, sans-serif;
    font-size: 14px; line-height: 1.7; color: var(--fg);
    position: fixed; inset-block-end: 16px; inset-inline-end: 16px; z-index: 2147483000;
    display: flex; flex-direction: column; align-items: flex-end; gap: 12px;
}
.launcher {
    position: relative; width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer;
    background: var(--accent); color: var(--accent-fg); box-shadow: 0 4px 14px rgba(0,0,0,.25);
    display: grid; place-items: center; font: inherit;
}
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, .log:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.badge {
    position: absolute; inset-block-start: -4px; inset-inline-end: -4px; min-width: 20px; height: 20px; padding: 0 5px;
    border-radius: 10px; background: #dc2626; color: #fff; font-size: 12px; line-height: 20px; text-align: center; box-sizing: border-box;
}
.panel {
    width: min(360px, calc(100vw - 32px)); height: min(520px, calc(100vh - 100px)); background: var(--bg);
    border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden;
}
[hidden] { display: none !important; }
header { background: var(--accent); color: var(--accent-fg); padding: 10px 14px; display: flex; align-items: flex-start; gap: 8px; }
header .titles { flex: 1; }
h2 { margin: 0; font-size: 16px; font-weight: 700; }
.status { margin: 0; font-size: 12px; opacity: .9; }
.close { background: transparent; border: 0; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; border-radius: 6px; }
.hint { margin: 0; padding: 6px 14px; font-size: 12px; color: var(--muted); background: #f9fafb; border-block-end: 1px solid #e5e7eb; }
.log { flex: 1; overflow-y: auto; margin: 0; padding: 12px; list-style: none; display: flex; flex-direction: column; gap: 8px; }
.empty { color: var(--muted); text-align: center; margin: auto 0; }
.msg { max-width: 85%; padding: 6px 10px; border-radius: 10px; background: var(--theirs); align-self: flex-end; }
.msg.mine { background: var(--mine); align-self: flex-start; }
.msg .body { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: plaintext; }
.msg .meta { display: block; font-size: 11px; color: var(--muted); }
.msg.pending { opacity: .7; }
.msg.failed { border: 1px solid #dc2626; }
.msg .actions button { font: inherit; font-size: 12px; margin-inline-end: 6px; background: none; border: 0; color: var(--accent); cursor: pointer; padding: 0; text-decoration: underline; }
.typing { margin: 0; padding: 0 14px 4px; font-size: 12px; color: var(--muted); }
.error { margin: 0; padding: 4px 14px; font-size: 12px; color: #b91c1c; }
form { display: flex; gap: 8px; padding: 8px 8px 12px; border-block-start: 1px solid #e5e7eb; align-items: flex-end; }
.field { flex: 1; display: flex; flex-direction: column; }
textarea { font: inherit; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 6px 8px; min-height: 40px; max-height: 120px; box-sizing: border-box; width: 100%; }
.counter { font-size: 11px; color: var(--muted); }
.counter.over { color: #b91c1c; font-weight: 700; }
.send { font: inherit; background: var(--accent); color: var(--accent-fg); border: 0; border-radius: 8px; padding: 8px 14px; cursor: pointer; }
.send:disabled { opacity: .5; cursor: default; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
