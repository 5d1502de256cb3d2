import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { envSchema } from '../../src/config/app-config';

import { K8sObject, parseYamlDocuments, renderKustomization, requireToolFile, ROOT } from './deploy-tools';
import { policyViolations, selects, workloads } from './k8s-policy';

const OVERLAYS = ['k8s/overlays/staging', 'k8s/overlays/production'];
const rendered = new Map<string, K8sObject[]>();
function render(dir: string): K8sObject[] {
    if (!rendered.has(dir)) {
        rendered.set(dir, renderKustomization(dir));
    }
    return structuredClone(rendered.get(dir)!);
}

/** Rendered YAML, read by path in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

type Model = new (data: unknown) => { validate(): void };

/** The model class validating `apiVersion`/`kind` against the Kubernetes or operator OpenAPI schema. */
function modelFor(object: K8sObject): Model | undefined {
    const [group, version] = object.apiVersion.includes('/')
        ? object.apiVersion.split('/')
        : ['', object.apiVersion];
    const modules: string[] = [];
    if (!group.includes('.') || group.endsWith('.k8s.io')) {
        modules.push(`kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`);
    } else if (group.endsWith('external-secrets.io')) {
        modules.push(`@kubernetes-models/external-secrets/${group}/${version}/${object.kind}`);
    } else if (group.endsWith('cert-manager.io')) {
        modules.push(`@kubernetes-models/cert-manager/${group}/${version}/${object.kind}`);
    } else if (group === 'monitoring.coreos.com') {
        modules.push(`@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`);
    }
    for (const file of modules) {
        const model = requireToolFile<Record<string, Model>>(file)?.[object.kind];
        if (model) {
            return model;
        }
    }
    return undefined;
}

/** CloudNativePG publishes no npm models: its objects are checked here against its documented API. */
function cnpgProblems(object: K8sObject, all: K8sObject[]): string[] {
    const problems: string[] = [];
    const spec = (object.spec ?? {}) as Loose;
    const where = `${object.kind}/${object.metadata.name}`;
    if (object.apiVersion !== 'postgresql.cnpg.io/v1') {
        problems.push(`${where}: apiVersion ${object.apiVersion}`);
    }
    if (object.kind === 'Cluster') {
        if (!Number.isInteger(spec.instances) || spec.instances < 1) problems.push(`${where}: instances`);
        if (!/^[\w./-]+:\d+(\.\d+)*(-\w+)?$/.test(spec.imageName ?? ''))
            problems.push(`${where}: imageName not pinned`);
        if (!/^\d+(Gi|Mi|Ti)$/.test(spec.storage?.size ?? '')) problems.push(`${where}: storage.size`);
        const store = spec.backup?.barmanObjectStore;
        if (!/^s3:\/\/[^/]+\/.+/.test(store?.destinationPath ?? ''))
            problems.push(`${where}: backup destinationPath`);
        for (const key of ['accessKeyId', 'secretAccessKey']) {
            if (!store?.s3Credentials?.[key]?.name || !store.s3Credentials[key].key) {
                problems.push(`${where}: s3Credentials.${key}`);
            }
        }
        if (!['gzip', 'bzip2', 'snappy'].includes(store?.wal?.compression))
            problems.push(`${where}: WAL archiving compression`);
        if (!/^\d+[dwm]$/.test(spec.backup?.retentionPolicy ?? ''))
            problems.push(`${where}: retentionPolicy`);
        const known = [
            'instances',
            'imageName',
            'primaryUpdateStrategy',
            'inheritedMetadata',
            'bootstrap',
            'postgresql',
            'affinity',
            'resources',
            'storage',
            'walStorage',
            'backup',
            'externalClusters',
            'monitoring',
        ];
        for (const key of Object.keys(spec)) {
            if (!known.includes(key)) problems.push(`${where}: unknown field spec.${key}`);
        }
    } else if (object.kind === 'ScheduledBackup') {
        if ((spec.schedule ?? '').split(' ').length !== 6)
            problems.push(`${where}: schedule needs six fields (seconds first)`);
        if (!all.some(o => o.kind === 'Cluster' && o.metadata.name === spec.cluster?.name)) {
            problems.push(`${where}: cluster ${spec.cluster?.name} not in the overlay`);
        }
        if (spec.method !== 'barmanObjectStore') problems.push(`${where}: method`);
    } else {
        problems.push(`${where}: kind not checked`);
    }
    return problems;
}

function validationProblems(objects: K8sObject[]): string[] {
    const problems: string[] = [];
    for (const object of objects) {
        const where = `${object.apiVersion} ${object.kind}/${object.metadata?.name}`;
        if (object.apiVersion.startsWith('postgresql.cnpg.io/')) {
            problems.push(...cnpgProblems(object, objects));
            continue;
        }
        const Model = modelFor(object);
        if (!Model) {
            problems.push(`${where}: no schema to validate against`);
            continue;
        }
        try {
            new Model(object).validate();
        } catch (e) {
            problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    return problems;
}

describe('Kubernetes manifests', () => {
    describe.each(['k8s/base', ...OVERLAYS])('%s', dir => {
        it('renders with kustomize and every object validates against the Kubernetes 1.34 OpenAPI schema or its operator’s CRD schema', () => {
            const objects = render(dir);
            expect(objects.length).toBeGreaterThan(20);
            expect(validationProblems(objects)).toEqual([]);
        });

        it('meets the policy: non-root, read-only root filesystem, dropped capabilities, seccomp, resources, probes, pinned images, server PDB, default deny', () => {
            expect(policyViolations(render(dir))).toEqual([]);
        });
    });

    it('the validation catches an object that breaks the schema (a port given as a name where a number is required)', () => {
        const objects = render('k8s/overlays/production');
        const server = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'shop-server')!;
        (server.spec as Loose).template.spec.containers[0].ports[0].containerPort = 'http';
        expect(validationProblems(objects).join('\n')).toMatch(
            /Deployment\/shop-server: .*containerPort must be integer/,
        );
    });

    describe('the policy test fails when a workload or the namespace breaks a rule', () => {
        type Edit = (objects: K8sObject[]) => void;
        const container = (objects: K8sObject[], name: string) =>
            workloads(objects).find(w => w.object.metadata.name === name)!.pod.containers[0];
        const cases: Array<[string, Edit, RegExp]> = [
            [
                'runs as root',
                o => {
                    delete workloads(o).find(w => w.object.metadata.name === 'shop-worker')!.pod
                        .securityContext!.runAsNonRoot;
                    delete container(o, 'shop-worker').securityContext!.runAsNonRoot;
                },
                /shop-worker container worker: not runAsNonRoot/,
            ],
            [
                'writable root filesystem',
                o => {
                    container(o, 'redis-queue').securityContext!.readOnlyRootFilesystem = false;
                },
                /redis-queue container redis: root filesystem not read-only/,
            ],
            [
                'no resources',
                o => {
                    delete container(o, 'shop-server').resources;
                },
                /shop-server container server: no cpu\/memory requests/,
            ],
            [
                'no memory limit',
                o => {
                    delete container(o, 'shop-worker').resources!.limits;
                },
                /shop-worker container worker: no memory limit/,
            ],
            [
                'no probes',
                o => {
                    delete container(o, 'redis-cache').livenessProbe;
                },
                /redis-cache container redis: readiness and liveness probes/,
            ],
            [
                'image on latest',
                o => {
                    container(o, 'restore-drill').image = 'alpine/k8s:latest';
                },
                /restore-drill container drill: image alpine\/k8s:latest not pinned/,
            ],
            [
                'image without a tag',
                o => {
                    container(o, 'shop-migrate').image = 'ghcr.io/iran-shop/iran-shop-server';
                },
                /shop-migrate container migrate: image .* not pinned/,
            ],
            [
                'server without PDB',
                o => {
                    o.splice(
                        o.findIndex(x => x.kind === 'PodDisruptionBudget'),
                        1,
                    );
                },
                /no PodDisruptionBudget selects the server/,
            ],
            [
                'namespace without default deny',
                o => {
                    o.splice(
                        o.findIndex(x => x.kind === 'NetworkPolicy' && x.metadata.name === 'default-deny'),
                        1,
                    );
                },
                /namespace shop: no default-deny NetworkPolicy/,
            ],
            [
                'server without preStop',
                o => {
                    delete container(o, 'shop-server').lifecycle;
                },
                /shop-server: server has no preStop hook/,
            ],
        ];
        it.each(cases)('%s', (_name, edit, expected) => {
            const objects = render('k8s/overlays/production');
            expect(policyViolations(objects)).toEqual([]);
            edit(objects);
            expect(policyViolations(objects).join('\n')).toMatch(expected);
        });
    });

    it('production renders server, worker, HPA, PDB, NetworkPolicies, Ingress with cert-manager TLS, CloudNativePG with backups, ExternalSecrets', () => {
        const objects = render('k8s/overlays/production');
        const kinds = (kind: string) => objects.filter(o => o.kind === kind);
        expect(objects.every(o => o.kind === 'Namespace' || o.metadata.namespace === 'shop')).toBe(true);
        expect(kinds('Deployment').map(o => o.metadata.name)).toEqual(
            expect.arrayContaining(['shop-server', 'shop-worker']),
        );
        expect(kinds('HorizontalPodAutoscaler')[0].spec).toMatchObject({
            minReplicas: 3,
            scaleTargetRef: { name: 'shop-server' },
        });
        expect(kinds('PodDisruptionBudget')[0].spec).toMatchObject({ minAvailable: 2 });
        expect(kinds('NetworkPolicy').length).toBeGreaterThanOrEqual(5);
        for (const ingress of kinds('Ingress')) {
            expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
            expect(ingress.spec).toMatchObject({
                tls: [{ hosts: ['shop.example.ir'], secretName: 'shop-tls' }],
            });
        }
        const chat = kinds('Ingress').find(i => JSON.stringify(i.spec).includes('/socket.io'))!;
        expect(
            Number(chat.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout']),
        ).toBeGreaterThanOrEqual(3600);
        const cluster = kinds('Cluster')[0];
        expect(cluster.spec).toMatchObject({ instances: 3, backup: { retentionPolicy: '30d' } });
        expect(kinds('ScheduledBackup')).toHaveLength(1);
        expect(kinds('CronJob').map(o => o.metadata.name)).toContain('restore-drill');
        // Every secret a workload reads is made by an ExternalSecret, or by CloudNativePG (shop-db-app).
        const provided = new Set([
            ...kinds('ExternalSecret').map(e => (e.spec as Loose).target.name),
            'shop-db-app',
        ]);
        const used = new Set(
            JSON.stringify(objects)
                .match(/"(?:secretRef|secretKeyRef)":\{"name":"[^"]+"/g)!
                .map(m => m.split('"').at(-2)!),
        );
        used.add((cluster.spec as Loose).backup.barmanObjectStore.s3Credentials.accessKeyId.name);
        expect([...used].filter(name => !provided.has(name))).toEqual([]);
        expect(JSON.stringify(objects)).not.toMatch(/"kind":"Secret"/);
        // Monitoring (k8s/monitoring): the PodMonitor selects the pods and scrapes a port they really expose;
        // only Prometheus's namespace may reach it.
        const monitor = kinds('PodMonitor')[0] as Loose;
        expect(kinds('PrometheusRule')).toHaveLength(1);
        for (const name of ['shop-server', 'shop-worker']) {
            const pod = (kinds('Deployment').find(d => d.metadata.name === name)!.spec as Loose).template;
            expect(selects(monitor.spec.selector, pod.metadata.labels), name).toBe(true);
            expect(pod.spec.containers[0].ports, name).toContainEqual(
                expect.objectContaining({ name: 'metrics' }),
            );
        }
        expect(kinds('NetworkPolicy').map(p => p.metadata.name)).toContain('metrics-from-prometheus');
    });

    it('staging has no ExternalSecret; its documented plain Secret lists every secret production takes from the store', () => {
        const staging = render('k8s/overlays/staging');
        expect(staging.some(o => o.kind === 'ExternalSecret' || o.kind === 'Secret')).toBe(false);
        const example = parseYamlDocuments(
            fs.readFileSync(path.join(ROOT, 'k8s/overlays/staging/secrets.example.yaml'), 'utf8'),
        ) as Array<K8sObject & { stringData: Record<string, string> }>;
        expect(example.map(s => s.metadata.name).sort()).toEqual(['shop-backup-s3', 'shop-secrets']);
        // Nothing filled in: the example holds no secret.
        expect(example.flatMap(s => Object.values(s.stringData)).every(v => v === '')).toBe(true);
        const appKeys = Object.keys(example.find(s => s.metadata.name === 'shop-secrets')!.stringData);
        expect(appKeys).toEqual(
            expect.arrayContaining([
                'SUPERADMIN_PASSWORD',
                'COOKIE_SECRET',
                'SMTP_URL',
                'ZIBAL_MERCHANT',
                'SMSIR_API_KEY',
                'POSTEX_API_KEY',
            ]),
        );
        const production = fs.readFileSync(
            path.join(ROOT, 'k8s/overlays/production/external-secrets.yaml'),
            'utf8',
        );
        for (const key of appKeys) {
            expect(production).toContain(key);
        }
    });

    it('every ConfigMap setting is a variable the app reads (a typo would silently fall back to a default)', () => {
        for (const dir of OVERLAYS) {
            const config = render(dir).find(
                o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('shop-config'),
            )!;
            const known = new Set([...Object.keys(envSchema.shape), 'VENDURE_DISABLE_TELEMETRY']);
            // S3_*: the object storage settings (issue 15 item 3), read by the asset storage configuration.
            const unknown = Object.keys(config.data as object).filter(
                k => !known.has(k) && !k.startsWith('S3_'),
            );
            expect(unknown, dir).toEqual([]);
        }
    });

    it('the server drains within its grace period: preStop + SHUTDOWN_DRAIN_SECONDS + time to close < terminationGracePeriodSeconds', () => {
        for (const dir of OVERLAYS) {
            const objects = render(dir);
            const server = workloads(objects).find(w => w.object.metadata.name === 'shop-server')!;
            const config = objects.find(
                o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('shop-config'),
            )!;
            const drain = Number((config.data as Record<string, string>).SHUTDOWN_DRAIN_SECONDS);
            const preStop = Number((server.pod.containers[0].lifecycle!.preStop as Loose).exec.command[1]);
            expect(preStop + drain + 10).toBeLessThanOrEqual(server.pod.terminationGracePeriodSeconds!);
        }
    });
});
