import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Validators the deployment tests load from the folder scripts/ci/deploy-tools.sh installs them in (pinned
 * versions, outside the app's node_modules). `.ci/run` runs that script before the tests.
 */
export const TOOLS_DIR = process.env.DEPLOY_TOOLS_DIR ?? '/var/tmp/iran-shop-ci/deploy-tools';

export function requireTool<T>(specifier: string): T {
    if (!fs.existsSync(path.join(TOOLS_DIR, 'node_modules'))) {
        throw new Error(`Deployment test tools missing in ${TOOLS_DIR}: run bash scripts/ci/deploy-tools.sh`);
    }
    return createRequire(path.join(TOOLS_DIR, 'package.json'))(specifier) as T;
}

/**
 * A file of a tool package by its path (`kubernetes-models/apps/v1/Deployment`): the model packages export their
 * files for `import` only, though the files are CommonJS; undefined when the file does not exist.
 */
export function requireToolFile<T>(file: string): T | undefined {
    const full = path.join(TOOLS_DIR, 'node_modules', `${file}.js`);
    return fs.existsSync(full) ? requireTool<T>(full) : undefined;
}

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    spec?: Record<string, unknown>;
    [key: string]: unknown;
}

interface YamlLib {
    parseAllDocuments(text: string): Array<{ errors: Array<{ message: string }>; toJS(): unknown }>;
}

export function parseYamlDocuments(text: string): unknown[] {
    const { parseAllDocuments } = requireTool<YamlLib>('yaml');
    return parseAllDocuments(text)
        .map(doc => {
            if (doc.errors.length) {
                throw new Error(doc.errors.map(e => e.message).join('\n'));
            }
            return doc.toJS() as unknown;
        })
        .filter(doc => doc != null);
}

/** `kubectl kustomize <dir>`: kustomize built into kubectl renders an overlay offline. */
export function renderKustomization(dir: string): K8sObject[] {
    const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, dir)], { encoding: 'utf8' });
    return parseYamlDocuments(out) as K8sObject[];
}
