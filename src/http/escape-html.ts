/** Escapes text for an HTML element or a quoted attribute (the server's few hand-written pages). */
export function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
