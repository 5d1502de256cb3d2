import type { K8sObject } from './deploy-tools';

/* The deployment policy every overlay must meet; `policyViolations` lists what breaks it, one line each. */

interface Container {
    name: string;
    image?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        readOnlyRootFilesystem?: boolean;
        allowPrivilegeEscalation?: boolean;
        capabilities?: { drop?: string[] };
        seccompProfile?: { type?: string };
    };
    readinessProbe?: unknown;
    livenessProbe?: unknown;
    startupProbe?: unknown;
    lifecycle?: { preStop?: unknown };
}

interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
    terminationGracePeriodSeconds?: number;
}

interface Workload {
    object: K8sObject;
    pod: PodSpec;
    podLabels: Record<string, string>;
    /** Runs until stopped (Deployment, StatefulSet, DaemonSet): needs probes. */
    longRunning: boolean;
}

const get = (o: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        o,
    );

export function workloads(objects: K8sObject[]): Workload[] {
    const result: Workload[] = [];
    for (const object of objects) {
        const template =
            object.kind === 'CronJob'
                ? get(object, 'spec', 'jobTemplate', 'spec', 'template')
                : ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)
                  ? get(object, 'spec', 'template')
                  : undefined;
        if (template) {
            result.push({
                object,
                pod: get(template, 'spec') as PodSpec,
                podLabels: (get(template, 'metadata', 'labels') ?? {}) as Record<string, string>,
                longRunning: ['Deployment', 'StatefulSet', 'DaemonSet'].includes(object.kind),
            });
        }
    }
    return result;
}

/** A tag other than `latest`, or a digest. */
export function isPinnedImage(image: string | undefined): boolean {
    if (!image) {
        return false;
    }
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return true;
    }
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    return !!tag && tag !== 'latest';
}

export function selects(selector: unknown, labels: Record<string, string>): boolean {
    const match = (get(selector, 'matchLabels') ?? {}) as Record<string, string>;
    return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
}

export function policyViolations(objects: K8sObject[]): string[] {
    const problems: string[] = [];
    for (const { object, pod, podLabels, longRunning } of workloads(objects)) {
        const where = `${object.kind}/${object.metadata.name}`;
        const podSc = pod.securityContext ?? {};
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
            const at = `${where} container ${c.name}`;
            const sc = c.securityContext ?? {};
            const nonRoot =
                (sc.runAsNonRoot ?? podSc.runAsNonRoot) === true &&
                (sc.runAsUser ?? podSc.runAsUser ?? 1) !== 0;
            if (!nonRoot) problems.push(`${at}: not runAsNonRoot`);
            if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem not read-only`);
            if (sc.allowPrivilegeEscalation !== false)
                problems.push(`${at}: allowPrivilegeEscalation not false`);
            if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${at}: capabilities not all dropped`);
            if ((sc.seccompProfile?.type ?? podSc.seccompProfile?.type) !== 'RuntimeDefault') {
                problems.push(`${at}: seccomp profile not RuntimeDefault`);
            }
            if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
                problems.push(`${at}: no cpu/memory requests`);
            if (!c.resources?.limits?.memory) problems.push(`${at}: no memory limit`);
            if (!isPinnedImage(c.image))
                problems.push(`${at}: image ${c.image} not pinned to a tag or digest`);
            if (longRunning && (!c.readinessProbe || !c.livenessProbe)) {
                problems.push(`${at}: readiness and liveness probes required`);
            }
        }
        if (podLabels['app.kubernetes.io/name'] === 'shop-server') {
            const server = pod.containers[0];
            if (!server.startupProbe) problems.push(`${where}: server has no startup probe`);
            if (!server.lifecycle?.preStop) problems.push(`${where}: server has no preStop hook`);
            if ((pod.terminationGracePeriodSeconds ?? 30) < 40) {
                problems.push(`${where}: terminationGracePeriodSeconds below preStop + drain + close (40 s)`);
            }
            const pdb = objects.find(
                o => o.kind === 'PodDisruptionBudget' && selects(get(o, 'spec', 'selector'), podLabels),
            );
            if (!pdb) problems.push(`${where}: no PodDisruptionBudget selects the server`);
            const hpa = objects.find(
                o =>
                    o.kind === 'HorizontalPodAutoscaler' &&
                    get(o, 'spec', 'scaleTargetRef', 'name') === object.metadata.name,
            );
            const replicas = (hpa ? get(hpa, 'spec', 'minReplicas') : get(object, 'spec', 'replicas')) as
                number | undefined;
            if ((replicas ?? 1) < 2) problems.push(`${where}: fewer than 2 server replicas`);
        }
    }
    const clusterScoped = new Set([
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
        'ClusterSecretStore',
        'ClusterIssuer',
    ]);
    const namespaces = new Set(
        objects.filter(o => !clusterScoped.has(o.kind)).map(o => o.metadata.namespace ?? ''),
    );
    for (const ns of namespaces) {
        const deny = objects.find(
            o =>
                o.kind === 'NetworkPolicy' &&
                (o.metadata.namespace ?? '') === ns &&
                Object.keys((get(o, 'spec', 'podSelector') ?? { x: 1 }) as object).length === 0 &&
                ['Ingress', 'Egress'].every(t =>
                    ((get(o, 'spec', 'policyTypes') ?? []) as string[]).includes(t),
                ) &&
                !get(o, 'spec', 'ingress') &&
                !get(o, 'spec', 'egress'),
        );
        if (!deny) problems.push(`namespace ${ns || '(none)'}: no default-deny NetworkPolicy`);
    }
    if (!workloads(objects).some(w => w.podLabels['app.kubernetes.io/name'] === 'shop-server')) {
        problems.push('no server Deployment');
    }
    return problems;
}
