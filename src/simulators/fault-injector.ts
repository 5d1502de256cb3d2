import type { NextFunction, Request, Response } from 'express';

/** What a simulator does instead of answering normally, for the next `times` matching calls. */
export type Fault =
    | { kind: 'timeout'; delayMs?: number }
    | { kind: 'http-error'; status: number; body?: unknown }
    | { kind: 'malformed' }
    | { kind: 'result'; body: unknown; status?: number }
    /** Answers normally, but only after `delayMs` (or when the test calls `release()`). */
    | { kind: 'delay'; delayMs: number }
    /**
     * Handles the call normally (its effect happens, e.g. the parcel is created) but holds the answer back for
     * `delayMs` (or until the test calls `release()`): the caller sees a hanging call whose effect already exists.
     */
    | { kind: 'hold-answer'; delayMs: number };

interface ArmedFault {
    path: string;
    fault: Fault;
    remaining: number;
}

export interface RecordedCall {
    method: string;
    path: string;
    body: unknown;
    at: number;
}

/**
 * Counts calls per provider and replays armed faults. Tests arm a fault (in-process or through the
 * `/__control` HTTP API), run the scenario, and read the call log to assert how often a provider was called.
 */
export class FaultInjector {
    private faults: ArmedFault[] = [];
    private calls: RecordedCall[] = [];
    private held = new Set<() => void>();

    arm(path: string, fault: Fault, times = 1): void {
        this.faults.push({ path, fault, remaining: times });
    }

    callsTo(path?: string): RecordedCall[] {
        return path ? this.calls.filter(c => c.path === path) : [...this.calls];
    }

    /** Lets every call held by a `delay` fault go on to its normal answer now. */
    release(): void {
        for (const resume of [...this.held]) {
            resume();
        }
    }

    reset(): void {
        this.release();
        this.faults = [];
        this.calls = [];
    }

    /** Express middleware: records the call, then applies the first armed fault for this path, if any. */
    middleware() {
        return (req: Request, res: Response, next: NextFunction): void => {
            this.calls.push({ method: req.method, path: req.path, body: req.body, at: Date.now() });
            const index = this.faults.findIndex(f => f.path === req.path || f.path === '*');
            if (index === -1) {
                next();
                return;
            }
            const armed = this.faults[index];
            armed.remaining -= 1;
            if (armed.remaining <= 0) {
                this.faults.splice(index, 1);
            }
            if (armed.fault.kind === 'delay') {
                this.hold(armed.fault.delayMs, res, next);
                return;
            }
            if (armed.fault.kind === 'hold-answer') {
                const end = res.end.bind(res) as (...args: unknown[]) => Response;
                const delayMs = armed.fault.delayMs;
                res.end = ((...args: unknown[]) => {
                    this.hold(delayMs, res, () => end(...args));
                    return res;
                }) as Response['end'];
                next();
                return;
            }
            applyFault(armed.fault, res);
        };
    }

    private hold(delayMs: number, res: Response, next: () => void): void {
        const resume = () => {
            clearTimeout(timer);
            res.off('close', drop);
            this.held.delete(resume);
            next();
        };
        const drop = () => {
            clearTimeout(timer);
            this.held.delete(resume);
        };
        const timer = setTimeout(resume, delayMs);
        res.on('close', drop);
        this.held.add(resume);
    }
}

function applyFault(fault: Fault, res: Response): void {
    switch (fault.kind) {
        case 'timeout': {
            // Hold the connection open well past any client timeout, then answer something unusable.
            const timer = setTimeout(() => res.destroy(), fault.delayMs ?? 60_000);
            res.on('close', () => clearTimeout(timer));
            return;
        }
        case 'http-error':
            res.status(fault.status).json(fault.body ?? { message: 'Internal Server Error' });
            return;
        case 'malformed':
            res.status(200).type('application/json').send('{"result": 100, "trackId": ');
            return;
        case 'result':
            res.status(fault.status ?? 200).json(fault.body);
            return;
        case 'delay':
        case 'hold-answer':
            return;
    }
}
