export interface Load {
    body: { query: string; variables?: Record<string, unknown> };
    valid(json: { data?: unknown; errors?: unknown } & Record<string, unknown>): boolean;
}
export interface RequestOutcome {
    connected: boolean;
    status?: number;
    valid?: boolean;
    body?: string;
    error?: string;
}
export const SEARCH_LOAD: Load;
export function request(
    url: string,
    load?: Load,
    headers?: Record<string, string>,
    onSent?: () => void,
): Promise<RequestOutcome>;
export function sigtermDuringRequests(
    baseUrl: string,
    pid: number,
    count: number,
    load?: Load,
): Promise<{
    signalledAt: number;
    answered: number;
    refused: number;
    lost: RequestOutcome[];
    lastAnswerMs: number;
    late: RequestOutcome;
}>;
