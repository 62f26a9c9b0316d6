import type fc from 'fast-check';
import { stringify } from 'yaml';
import {
  type Condition,
  IMAGES,
  type JobCase,
  LITERAL_OF,
  type ParamType,
  type Part,
  type Plain,
  SECRET_SOURCES,
  type ValidWorkflowCase,
  type Value,
  validWorkflowCase,
} from './valid-workflow-case.js';

/**
 * Structurally valid workflows: random stages, random DAGs of jobs whose `needs` point to
 * earlier jobs, and random but consistent fields. The validator must accept every one of them.
 */

function pick<T>(items: ReadonlyArray<T>, n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** What a job offers to the jobs below it. */
interface Built {
  readonly name: string;
  readonly outputs: ReadonlyArray<string>;
  readonly artifacts: ReadonlyArray<string>;
}

interface Scope {
  readonly params: ReadonlyArray<[string, ParamType]>;
  /** The jobs in `needs`, which expressions may read. */
  readonly needs: ReadonlyArray<Built>;
  readonly matrixKeys: ReadonlyArray<string> | 'dynamic' | undefined;
}

/** Writes a template, dropping the expressions that have nothing to refer to in this scope. */
function renderTemplate(parts: ReadonlyArray<Part>, scope: Scope): string {
  const joined = parts.map((p) => renderPart(p, scope)).join(' ');
  // Commands must not be empty; a space-only command is still a command.
  return joined === '' ? 'true' : joined;
}

/** One part of a template, or '' when the expression has nothing to refer to. */
function renderPart(p: Part, scope: Scope): string {
  switch (p.kind) {
    case 'text':
      return p.text;
    case 'param': {
      const found = pick(scope.params, p.n);
      return found === undefined ? '' : `\${{ params.${found[0]} }}`;
    }
    case 'output': {
      const producer = pick(
        scope.needs.filter((b) => b.outputs.length > 0),
        p.job,
      );
      return producer === undefined
        ? ''
        : `\${{ needs.${producer.name}.outputs.${pick(producer.outputs, p.output)} }}`;
    }
    case 'result': {
      const dep = pick(scope.needs, p.job);
      return dep === undefined ? '' : `\${{ needs.${dep.name}.result }}`;
    }
    case 'matrix': {
      if (scope.matrixKeys === undefined) return '';
      const key = scope.matrixKeys === 'dynamic' ? 'item' : pick(scope.matrixKeys, p.n);
      return key === undefined ? '' : `\${{ matrix.${key} }}`;
    }
    case 'fixed':
      return `\${{ ${p.expr} }}`;
  }
}

function renderValue(value: Value, scope: Scope): unknown {
  return value.kind === 'value' ? value.value : renderTemplate(value.parts, scope);
}

function renderCondition(condition: Condition, scope: Scope): string | boolean {
  switch (condition.kind) {
    case 'written':
      return condition.value;
    case 'param-compare': {
      const comparable = scope.params.filter(([, type]) => LITERAL_OF[type] !== undefined);
      const found = pick(comparable, condition.n);
      return found === undefined ? 'always()' : `\${{ params.${found[0]} != ${LITERAL_OF[found[1]]} }}`;
    }
    case 'result-compare': {
      const dep = pick(scope.needs, condition.job);
      return dep === undefined ? 'failure()' : `needs.${dep.name}.result == 'failure'`;
    }
  }
}

function defined(entries: Record<string, unknown>): Plain {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

function buildJob(
  c: JobCase,
  jobName: string,
  index: number,
  built: ReadonlyArray<Built>,
  ctx: BuildContext,
): Plain {
  const needs = index === 0 ? [] : [...new Set(c.needs.map((n) => n % index))].map((i) => built[i] as Built);
  const base = { params: ctx.params, needs, matrixKeys: undefined };
  const common = {
    name: jobName,
    description: c.description,
    needs: needs.length === 0 && c.needs.length === 0 ? undefined : needs.map((b) => b.name),
    if: c.condition === undefined ? undefined : renderCondition(c.condition, base),
    continueOnFailure: c.continueOnFailure,
    timeout: c.timeout,
  };
  if (c.kind === 'approval') {
    return defined({
      ...common,
      type: 'approval',
      message: c.message === undefined ? undefined : renderTemplate(c.message, base),
      approvers: c.approvers,
      minApprovals: c.minApprovals === undefined ? undefined : 1 + (c.minApprovals % c.approvers.length),
      onTimeout: c.onTimeout,
    });
  }
  const producers = needs.filter((b) => b.outputs.length > 0);
  const dynamicFrom = c.dynamicMatrix === undefined ? undefined : pick(producers, c.dynamicMatrix);
  const matrix =
    dynamicFrom !== undefined
      ? { fromJson: `\${{ needs.${dynamicFrom.name}.outputs.${dynamicFrom.outputs[0]} }}` }
      : c.matrix;
  const matrixKeys =
    matrix === undefined ? undefined : 'fromJson' in matrix ? 'dynamic' : Object.keys(matrix.values);
  const scope: Scope = { ...base, matrixKeys };
  const runnable = {
    retry: c.retry,
    matrix,
    outputs: c.outputs,
    compensate:
      c.compensate === undefined
        ? undefined
        : defined({
            container: ctx.defaultContainer === undefined ? 'alpine:3.20' : undefined,
            commands: c.compensate.map((t) => renderTemplate(t, base)),
          }),
  };
  if (c.kind === 'workflow') {
    const withValues =
      c.with === undefined
        ? undefined
        : Object.fromEntries(Object.entries(c.with).map(([k, v]) => [k, renderValue(v, scope)]));
    return defined({ ...common, ...runnable, workflow: c.workflow, with: withValues });
  }
  const secret = c.secretEnv === undefined ? undefined : pick(ctx.secrets, c.secretEnv[1]);
  const env =
    c.env === undefined
      ? undefined
      : {
          ...Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, renderValue(v, scope)])),
          ...(secret === undefined || c.secretEnv === undefined
            ? {}
            : { [c.secretEnv[0]]: { secretKeyRef: { name: secret, key: 'password' } } }),
        };
  const from =
    c.artifactsFrom === undefined
      ? undefined
      : pick(
          needs.filter((b) => b.artifacts.length > 0),
          c.artifactsFrom,
        );
  const commands = c.commands.map((t) => renderTemplate(t, scope));
  return defined({
    ...common,
    ...runnable,
    container: ctx.defaultContainer === undefined ? (c.image ?? IMAGES[0]) : c.image,
    commands: c.oneScript ? commands.join('\n') : commands,
    env,
    resources: c.resources,
    exitCodes: c.exitCodes,
    artifacts: c.artifacts?.map((a) => ({ name: a, path: `out/${a}` })),
    artifactsFrom: from === undefined ? undefined : [{ job: from.name, artifacts: [from.artifacts[0]] }],
  });
}

interface BuildContext {
  readonly params: ReadonlyArray<[string, ParamType]>;
  readonly secrets: ReadonlyArray<string>;
  readonly defaultContainer: string | undefined;
}

/** The workflow as plain data, references resolved. */
export function buildWorkflow(c: ValidWorkflowCase): Plain {
  const { shape: s, spec: sp } = c;
  const paramEntries = Object.entries(s.params);
  const ctx: BuildContext = {
    params: paramEntries.map(([n, p]) => [n, p.type]),
    secrets: s.secrets,
    defaultContainer: sp.defaultContainer,
  };
  const params = Object.fromEntries(
    paramEntries.map(([n, p]) => [
      n,
      defined({
        type: p.typeWritten || p.type !== 'string' ? p.type : undefined,
        default: p.default,
        enum: p.inEnum && p.default !== undefined ? [p.default] : undefined,
        required: p.required,
        description: p.description,
      }),
    ]),
  );
  const built: Built[] = [];
  let next = 0;
  const stages = s.stages.map((st, si) => {
    const jobs: Plain[] = [];
    for (let k = 0; k < st.size; k++, next++) {
      const jc = c.jobs[next] as JobCase;
      const jobName = c.jobNames[next] as string;
      jobs.push(buildJob(jc, jobName, next, built, ctx));
      const runnable = jc.kind !== 'approval';
      built.push({
        name: jobName,
        outputs: runnable ? (jc.outputs ?? []) : [],
        artifacts: jc.kind === 'container' ? (jc.artifacts ?? []) : [],
      });
    }
    const dependsOn =
      st.dependsOn === undefined
        ? undefined
        : si === 0
          ? []
          : [...new Set(st.dependsOn.map((d) => c.stageNames[d % si] as string))];
    return defined({
      name: c.stageNames[si],
      description: st.description,
      dependsOn,
      onFailure: st.onFailure,
      jobs,
    });
  });
  const none: Scope = { params: ctx.params, needs: [], matrixKeys: undefined };
  const withDefaults = paramEntries.filter(([, p]) => p.default !== undefined);
  return {
    apiVersion: 'waterflow.io/v1',
    kind: 'Workflow',
    metadata: defined({ name: c.workflowName, description: sp.description, labels: sp.labels }),
    spec: defined({
      params: paramEntries.length === 0 ? undefined : params,
      schedule: sp.schedule?.map((sc) =>
        defined({
          ...sc,
          params:
            sp.scheduleDefaults && withDefaults.length > 0
              ? Object.fromEntries(withDefaults.map(([n, p]) => [n, p.default]))
              : undefined,
        }),
      ),
      concurrency: sp.concurrency === undefined ? undefined : { policy: sp.concurrency },
      timeout: sp.timeout,
      ttlAfterFinished: sp.ttlAfterFinished,
      failFast: sp.failFast,
      env:
        sp.env === undefined
          ? undefined
          : Object.fromEntries(Object.entries(sp.env).map(([k, v]) => [k, renderValue(v, none)])),
      secrets:
        s.secrets.length === 0
          ? undefined
          : s.secrets.map((n, i) => ({ name: n, source: SECRET_SOURCES[i % SECRET_SOURCES.length] })),
      defaults:
        sp.defaults === undefined && sp.defaultContainer === undefined
          ? undefined
          : defined({ ...sp.defaults, container: sp.defaultContainer }),
      stages,
      onExit:
        sp.onExit === undefined
          ? undefined
          : defined({
              name: sp.onExit.name,
              container: sp.defaultContainer === undefined ? 'curlimages/curl:8.8.0' : undefined,
              commands: [
                ...sp.onExit.commands.map((t) => renderTemplate(t, none)),
                ...(sp.onExit.runStatus ? ['echo ${{ run.status }}'] : []),
              ],
            }),
    }),
  };
}

/** A valid workflow's YAML text. */
export const validWorkflowText: fc.Arbitrary<string> = validWorkflowCase.map((c) =>
  stringify(buildWorkflow(c)),
);
