import { describe, expect, it } from 'vitest';
import { job, jobNamed, validSpec } from '../../support/workflow.js';

describe('normalize', () => {
  it('applies the workflow defaults: failFast, concurrency, no timeout, no retry', () => {
    const workflow = validSpec({ stages: [{ name: 'only', jobs: [job('a')] }] });

    expect(workflow.failFast).toBe(true);
    expect(workflow.concurrency).toStrictEqual({ policy: 'Allow' });
    expect(workflow.timeoutSeconds).toBeUndefined();
    expect(jobNamed(workflow, 'a').retry).toStrictEqual({
      maxAttempts: 1,
      backoff: 'fixed',
      delaySeconds: 0,
      factor: 1,
      jitter: 'none',
    });
  });

  it('makes each stage depend on the previous one unless dependsOn says otherwise', () => {
    const workflow = validSpec({
      stages: [
        { name: 'build', jobs: [job('compile')] },
        { name: 'test', jobs: [job('unit'), job('lint')] },
        { name: 'docs', dependsOn: [], jobs: [job('site')] },
        { name: 'release', dependsOn: ['test', 'docs'], jobs: [job('publish')] },
      ],
    });

    expect(workflow.stages.map((s) => [s.name, s.dependsOn])).toStrictEqual([
      ['build', []],
      ['test', ['build']],
      ['docs', []],
      ['release', ['test', 'docs']],
    ]);
    expect(jobNamed(workflow, 'unit').upstream).toStrictEqual(['compile']);
    expect(jobNamed(workflow, 'site').upstream).toStrictEqual([]);
    expect(jobNamed(workflow, 'publish').upstream).toStrictEqual(['lint', 'site', 'unit']);
  });

  it('joins needs with the jobs of the stages a stage depends on', () => {
    const workflow = validSpec({
      stages: [{ name: 'one', jobs: [job('a'), job('b'), job('c', { needs: ['a'] })] }],
    });

    expect(jobNamed(workflow, 'c').needs).toStrictEqual(['a']);
    expect(jobNamed(workflow, 'c').upstream).toStrictEqual(['a']);
    expect(jobNamed(workflow, 'b').upstream).toStrictEqual([]);
  });

  it('turns durations into seconds and counts every attempt in maxAttempts', () => {
    const workflow = validSpec({
      timeout: '2h',
      ttlAfterFinished: '7d',
      stages: [
        {
          name: 's',
          jobs: [
            job('a', {
              timeout: '1h30m',
              retry: { maxAttempts: 3, delay: '10s', maxDelay: '5m', jitter: 'full' },
            }),
          ],
        },
      ],
    });
    const a = jobNamed(workflow, 'a');

    expect(workflow.timeoutSeconds).toBe(7200);
    expect(workflow.ttlAfterFinishedSeconds).toBe(604_800);
    expect(a.timeoutSeconds).toBe(5400);
    expect(a.retry).toStrictEqual({
      maxAttempts: 3,
      backoff: 'exponential',
      delaySeconds: 10,
      factor: 2,
      maxDelaySeconds: 300,
      jitter: 'full',
    });
  });

  it('inherits timeout, retry, resources and image from spec.defaults', () => {
    const workflow = validSpec({
      defaults: {
        timeout: '30m',
        retry: { maxAttempts: 2, backoff: 'fixed', delay: '5s' },
        resources: { cpu: '1', memory: '3Gi' },
        container: 'node:20',
      },
      stages: [
        { name: 's', jobs: [{ name: 'a', commands: 'npm test' }, job('b', { resources: { cpu: '2' } })] },
      ],
    });
    const a = jobNamed(workflow, 'a');
    const b = jobNamed(workflow, 'b');

    expect(a.kind === 'container' && a.image).toBe('node:20');
    expect(a.timeoutSeconds).toBe(1800);
    expect(a.retry.maxAttempts).toBe(2);
    expect(a.kind === 'container' && a.resources).toStrictEqual({
      cpu: 1,
      memoryMiB: 3072,
      diskGiB: 20,
      fargate: { cpu: 1024, memory: 3072 },
    });
    // cpu from the job, memory from the defaults, rounded up to the 2 vCPU row.
    expect(b.kind === 'container' && b.resources.fargate).toStrictEqual({ cpu: 2048, memory: 4096 });
  });

  it('reads env maps and Kubernetes-style env lists the same way', () => {
    const secrets = [{ name: 'db', source: 'aws-secretsmanager://prod/db' }];
    const fromMap = validSpec({
      secrets,
      stages: [
        {
          name: 's',
          jobs: [
            job('a', { env: { MODE: 'fast', PASSWORD: { secretKeyRef: { name: 'db', key: 'password' } } } }),
          ],
        },
      ],
    });
    const fromList = validSpec({
      secrets,
      stages: [
        {
          name: 's',
          jobs: [
            job('a', {
              env: [
                { name: 'MODE', value: 'fast' },
                { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              ],
            }),
          ],
        },
      ],
    });
    const strip = (env: unknown) => JSON.parse(JSON.stringify(env, (k, v) => (k === 'path' ? undefined : v)));

    expect(strip(jobNamed(fromList, 'a').env)).toStrictEqual(strip(jobNamed(fromMap, 'a').env));
    expect(jobNamed(fromMap, 'a').env[1]).toStrictEqual({
      name: 'PASSWORD',
      secretRef: { secret: 'db', key: 'password' },
    });
  });

  it('accepts when as another name for if, and zen-flow always and never', () => {
    const workflow = validSpec({
      stages: [
        {
          name: 's',
          jobs: [
            job('a'),
            job('b', { when: "${{ needs.a.result == 'failure' }}", needs: ['a'] }),
            job('c', { if: 'always', needs: ['a'] }),
            job('d', { when: true }),
          ],
        },
      ],
    });

    expect(jobNamed(workflow, 'a').condition.source).toBe('success()');
    expect(jobNamed(workflow, 'b').condition.expr.kind).toBe('binary');
    expect(jobNamed(workflow, 'c').condition.expr).toMatchObject({ kind: 'call', name: 'always' });
    expect(jobNamed(workflow, 'd').condition.expr).toMatchObject({ kind: 'literal', value: true });
  });

  it('tolerates failures of jobs in a stage with onFailure: continue', () => {
    const workflow = validSpec({
      stages: [
        { name: 's', onFailure: 'continue', jobs: [job('a'), job('b', { continueOnFailure: false })] },
      ],
    });

    expect(jobNamed(workflow, 'a').continueOnFailure).toBe(true);
    expect(jobNamed(workflow, 'b').continueOnFailure).toBe(false);
  });

  it('expands a static matrix as GitHub Actions does: product, exclude, then include', () => {
    const workflow = validSpec({
      stages: [
        {
          name: 's',
          jobs: [
            job('t', {
              matrix: {
                values: { os: ['linux', 'mac'], node: [18, 20] },
                exclude: [{ os: 'mac', node: 18 }],
                include: [
                  { os: 'linux', node: 20, experimental: true },
                  { os: 'windows', node: 20 },
                ],
                maxParallel: 2,
              },
              commands: ['echo ${{ matrix.os }} ${{ matrix.node }}'],
            }),
          ],
        },
      ],
    });
    const matrix = jobNamed(workflow, 't').matrix;

    expect(matrix).toStrictEqual({
      kind: 'static',
      keys: ['os', 'node', 'experimental'],
      items: [
        { os: 'linux', node: 18 },
        { os: 'linux', node: 20, experimental: true },
        { os: 'mac', node: 20 },
        { os: 'windows', node: 20 },
      ],
      maxParallel: 2,
      failFast: true,
    });
  });

  it('gives approvals a day to decide and one approval by default', () => {
    const workflow = validSpec({ stages: [{ name: 's', jobs: [{ name: 'ok', type: 'approval' }] }] });
    const ok = jobNamed(workflow, 'ok');

    expect(ok.kind).toBe('approval');
    expect(ok.timeoutSeconds).toBe(86_400);
    expect(ok.kind === 'approval' && [ok.minApprovals, ok.onTimeout, ok.message.source]).toStrictEqual([
      1,
      'reject',
      'Approve "ok" in workflow "test-workflow"?',
    ]);
  });

  it('infers a nested workflow job from its workflow field', () => {
    const workflow = validSpec({
      params: { v: { type: 'string', default: '1' } },
      stages: [
        {
          name: 's',
          jobs: [
            { name: 'deploy', workflow: 'deploy-service', with: { version: '${{ params.v }}', replicas: 3 } },
          ],
        },
      ],
    });
    const deploy = jobNamed(workflow, 'deploy');

    expect(deploy.kind).toBe('workflow');
    expect(deploy.kind === 'workflow' && deploy.with.replicas).toStrictEqual({ kind: 'value', value: 3 });
  });
});
