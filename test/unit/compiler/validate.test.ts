import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../../compiler/index.js';
import { problems } from '../../support/workflow.js';

const header = 'apiVersion: waterflow.io/v1\nkind: Workflow\nmetadata:\n  name: wf\n';

describe('validation', () => {
  it('locates a YAML syntax error at its line and column', () => {
    const text = `${header}spec:\n  stages:\n    - name: a\n      jobs: [\n`;

    expect(problems(text)[0]).toMatch(/^9:1 WF1001 YAML syntax error: /);
  });

  it('reports an unknown field at its key with the field it most likely means', () => {
    const text = `${header}spec:\n  stages:\n    - name: a\n      jobs:\n        - name: j\n          container: alpine:3\n          comands: [echo]\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "11:11 WF1102 unknown field "comands" in job "j" (did you mean "commands"?) | allowed fields: type, name, description, needs, if, when, continueOnFailure, timeout, env, retry, matrix, outputs, artifacts, artifactsFrom, compensate, container, commands, resources, exitCodes",
      ]
    `);
  });

  it('suggests our name for a field other tools call differently', () => {
    const text = `${header}spec:\n  stages:\n    - name: a\n      jobs:\n        - name: j\n          image: alpine:3\n          commands: [echo]\n`;

    expect(problems(text)[0]).toContain('unknown field "image" in job "j" (did you mean "container"?)');
  });

  it('collects every shape problem of the file at once', () => {
    const text = `${header}spec:\n  failFast: maybe\n  concurrency: { policy: Skip }\n  stages:\n    - name: a\n      jobs:\n        - name: j\n          container: alpine:3\n          commands: [echo]\n          retry: { maxAttempts: 0 }\n          timeout: 10 minutes\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "6:13 WF1101 spec.failFast must be true or false, found "maybe"",
        "7:26 WF1104 spec.concurrency.policy must be one of "Allow", "Forbid", "Replace", found "Skip"",
        "14:33 WF1106 retry.maxAttempts of job "j" must be at least 1, found 0",
        "15:20 WF1201 timeout of job "j": duration "10 minutes" contains whitespace | write "10m" instead of "10minutes"",
      ]
    `);
  });

  it('tells a user with an Argo file that Waterflow reads its own language, and how the fields map', () => {
    expect(problems('apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n')).toMatchInlineSnapshot(`
      [
        "1:13 WF1004 apiVersion must be "waterflow.io/v1", found "argoproj.io/v1alpha1" | this looks like an Argo Workflow; Waterflow reads waterflow.io/v1 only (docs/language.md): each DAG task becomes a job, its dependencies the job's needs, its container template's image and command the job's container and commands",
      ]
    `);
  });

  it('rejects a Fargate size that does not exist and names the nearest', () => {
    const text = `${header}spec:\n  stages:\n    - name: a\n      jobs:\n        - name: j\n          container: alpine:3\n          commands: [echo]\n          resources: { cpu: "32" }\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "12:29 WF1202 no Fargate size has 32 vCPU; the largest is 16 vCPU with 32Gi..120Gi | ask for at most 16 vCPU",
      ]
    `);
  });

  it('points into the expression at the unknown name', () => {
    const text = `${header}spec:\n  params:\n    environment: { default: dev }\n  stages:\n    - name: a\n      jobs:\n        - name: j\n          container: alpine:3\n          commands: ["echo \${{ params.enviroment }}"]\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "7:5 WF2101 param "environment" is declared but never used",
        "13:32 WF3002 unknown param "enviroment" (did you mean "environment"?) | declared params: environment",
      ]
    `);
  });

  it('never throws on garbage and returns a located diagnostic', () => {
    for (const text of ['', '---\n---\n', '[1, 2', ': :', '*unknown', 'a: &x [*x]', '\t\tfoo']) {
      const result = validateWorkflow(text, 'g.yaml');
      expect(result.workflow).toBeUndefined();
      expect(result.diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('edits a job behind a YAML alias everywhere the alias is used', () => {
    // The job gets its inferred `type` in onExit too, as if the whole document were edited.
    const text = `${header}spec:\n  onExit: &x { container: alpine:3, commands: [echo] }\n  stages:\n    - name: a\n      jobs:\n        - *x\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "6:14 WF1102 unknown field "type" in spec.onExit | allowed fields: name, container, commands, env, resources, timeout",
        "10:11 WF1103 spec.stages[0].jobs[0] is missing the required field "name" (a string)",
      ]
    `);
  });

  it('reports conflicting fields of a job once, however many aliases repeat it', () => {
    const text = `${header}spec:\n  stages:\n    - name: a\n      jobs:\n        - &j { name: j, container: alpine:3, workflow: other }\n        - *j\n`;

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "9:46 WF1108 job "j" has both "container" and "workflow"; a job runs a container or a nested workflow, not both",
        "10:11 WF2001 job "j" is defined twice (first at line 9) | job names must be unique across all stages; rename one of them",
      ]
    `);
  });
});
