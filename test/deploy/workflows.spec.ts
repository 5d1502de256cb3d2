import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseYamlDocuments, requireTool, ROOT, TOOLS_DIR } from './deploy-tools';

interface ParserError {
    message: string;
}
interface WorkflowParser {
    NoOperationTraceWriter: new () => unknown;
    parseWorkflow(
        file: { name: string; content: string },
        trace: unknown,
    ): { context: { errors: { getErrors(): ParserError[] } }; value: unknown };
    convertWorkflowTemplate(
        context: unknown,
        value: unknown,
    ): Promise<{ errors?: Array<{ Message: string }> }>;
}

/** GitHub's own workflow parser (the one behind the Actions language service), with its workflow schema. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
    const parser = requireTool<WorkflowParser>(path.join(TOOLS_DIR, 'workflow-parser.cjs'));
    const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
    const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
    return [
        ...parsed.context.errors.getErrors().map(e => e.message),
        ...(template.errors ?? []).map(e => e.Message),
    ];
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, '.github', 'workflows', file), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (file: string) => parseYamlDocuments(read(file))[0] as any;

describe('GitHub workflows', () => {
    it.each(['ci.yml', 'release.yml'])('%s is valid against the Actions workflow schema', async file => {
        expect(await workflowErrors(file, read(file))).toEqual([]);
    });

    it('the schema check catches a mistake (a misspelled key)', async () => {
        const broken = read('ci.yml').replace('runs-on: ubuntu-24.04', 'run-on: ubuntu-24.04');
        expect((await workflowErrors('ci.yml', broken)).join('\n')).toMatch(/run-on/);
    });

    it('ci.yml runs .ci/run on PostgreSQL 16 and Redis service containers, and builds the image', () => {
        const ci = load('ci.yml');
        const job = ci.jobs['ci-run'];
        expect(job.services.postgres.image).toMatch(/^postgres:16/);
        expect(job.services.redis.image).toMatch(/^redis:/);
        expect(job.steps.map((s: { run?: string }) => s.run ?? '').join('\n')).toContain('bash .ci/run');
        const image = ci.jobs.image.steps.find((s: { uses?: string }) =>
            s.uses?.startsWith('docker/build-push-action'),
        );
        expect(image.with.file).toBe('docker/Dockerfile');
    });

    it('release.yml pushes the image by version and commit with an SBOM, deploys staging, then production behind an approval; a manual run redeploys a given tag', () => {
        const release = load('release.yml');
        const build = release.jobs.image.steps.find((s: { uses?: string }) =>
            s.uses?.startsWith('docker/build-push-action'),
        );
        expect(build.with).toMatchObject({ push: true, sbom: true });
        const meta = release.jobs.image.steps.find((s: { uses?: string }) =>
            s.uses?.startsWith('docker/metadata-action'),
        );
        expect(meta.with.tags).toMatch(/type=semver/);
        expect(meta.with.tags).toMatch(/type=sha/);
        expect(release.jobs['deploy-staging'].environment.name).toBe('staging');
        expect(release.jobs['deploy-production'].environment.name).toBe('production');
        expect(release.jobs['deploy-production'].needs).toContain('deploy-staging');
        for (const job of ['deploy-staging', 'deploy-production']) {
            const run = release.jobs[job].steps.map((s: { run?: string }) => s.run ?? '').join('\n');
            expect(run).toContain('scripts/deploy/k8s-deploy.sh');
        }
        expect(release.on.workflow_dispatch.inputs.image_tag.required).toBe(true);
        expect(fs.existsSync(path.join(ROOT, 'scripts/deploy/k8s-deploy.sh'))).toBe(true);
    });
});
