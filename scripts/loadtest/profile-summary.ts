/** The parts of a V8 CPU profile (`Profiler.stop`, `.cpuprofile` files) the summary reads. */
export interface CpuProfile {
    nodes: Array<{
        id: number;
        callFrame: { functionName: string; url: string; lineNumber: number };
        children?: number[];
    }>;
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
}

export interface SelfTime {
    name: string;
    ms: number;
    percent: number;
}

export interface ProfileSummary {
    seconds: number;
    /** Share of the samples in which the process ran JavaScript, GC or native code (not idle). */
    busyPercent: number;
    functions: SelfTime[];
    modules: SelfTime[];
}

/** Where a script comes from: an npm package, the app's own code, Node's internals, or V8's pseudo-frames. */
export function moduleOf(url: string, functionName: string): string {
    if (!url) {
        return functionName.startsWith('(') ? functionName : '(native)';
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) {
        return pkg[1];
    }
    if (url.startsWith('node:')) {
        return 'node (core)';
    }
    const own = /\/dist\/((?:src|plugins)\/[^/]+)/.exec(url);
    return own ? `app ${own[1]}` : url.replace(/^file:\/\//, '');
}

/** A script's path from its package (`typeorm/query-builder/SelectQueryBuilder.js`) or from `dist/`. */
function fileOf(url: string): string {
    const m = /(?:node_modules|\/dist)\/(.+)$/.exec(url);
    return m ? m[1] : url;
}

/** Self time per function and per module, the top `top` of each, idle excluded from the percentages. */
export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const selfUs = new Map<number, number>();
    for (let i = 0; i < profile.samples.length; i++) {
        // timeDeltas[i] is the time before sample i; the sample stands for the next interval, close enough.
        const dt = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
        selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
    }
    const fns = new Map<string, number>();
    const mods = new Map<string, number>();
    let idle = 0;
    let total = 0;
    for (const [id, us] of selfUs) {
        const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
        total += us;
        if (functionName === '(idle)') {
            idle += us;
            continue;
        }
        const mod = moduleOf(url, functionName);
        const fn = `${functionName || '(anonymous)'} ${fileOf(url) || mod}${url ? `:${lineNumber + 1}` : ''}`;
        fns.set(fn, (fns.get(fn) ?? 0) + us);
        mods.set(mod, (mods.get(mod) ?? 0) + us);
    }
    const busy = total - idle;
    const rank = (m: Map<string, number>) =>
        [...m.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, top)
            .map(([name, us]) => ({ name, ms: us / 1000, percent: busy ? (100 * us) / busy : 0 }));
    return {
        seconds: (profile.endTime - profile.startTime) / 1e6,
        busyPercent: total ? (100 * busy) / total : 0,
        functions: rank(fns),
        modules: rank(mods),
    };
}
