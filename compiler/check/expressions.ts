import { DiagnosticSink } from '../diagnostics/sink.js';
import type { Expr, Template } from '../expr/ast.js';
import { checkExpression, type ExprScope } from '../expr/check.js';
import type { WorkflowGraph } from '../graph/graph.js';
import type { ContainerAction, DocPath, EnvVar, Job, Workflow } from '../ir.js';
import { kindModule } from '../kinds/registry.js';
import type { SourceMap } from '../parse/source.js';

const NO_OUTPUTS: ReadonlySet<string> = new Set();

class ExpressionChecker {
  readonly usedParams = new Set<string>();
  readonly usedSecrets = new Set<string>();

  constructor(private readonly sink: DiagnosticSink) {}

  /** Checks one expression found `offset` characters into the scalar at `path`. */
  expression(expr: Expr, scope: ExprScope, path: DocPath, offset: number): void {
    this.noteParams(expr);
    for (const problem of checkExpression(expr, scope)) {
      this.sink.error(problem.code, path, problem.message, {
        hint: problem.hint,
        offset: offset + problem.start,
      });
    }
  }

  /** The params an expression reads; a plain walk, as a generator per expression cost more than the check. */
  private noteParams(expr: Expr): void {
    switch (expr.kind) {
      case 'name':
        if (expr.path[0] === 'params' && typeof expr.path[1] === 'string') this.usedParams.add(expr.path[1]);
        return;
      case 'call':
        for (const arg of expr.args) this.noteParams(arg);
        return;
      case 'unary':
        this.noteParams(expr.operand);
        return;
      case 'binary':
        this.noteParams(expr.left);
        this.noteParams(expr.right);
        return;
      case 'literal':
        return;
    }
  }

  template(template: Template, scope: ExprScope, fallback: DocPath): void {
    for (const part of template.parts) {
      if (part.kind === 'expr') this.expression(part.expr, scope, template.path ?? fallback, part.offset);
    }
  }

  env(env: ReadonlyArray<EnvVar>, scope: ExprScope, fallback: DocPath): void {
    for (const variable of env) {
      if ('secretRef' in variable) this.usedSecrets.add(variable.secretRef.secret);
      else this.template(variable.value, scope, fallback);
    }
  }

  action(action: ContainerAction, scope: ExprScope): void {
    for (const command of action.commands) this.template(command, scope, action.path);
    this.env(action.env, scope, action.path);
  }
}

type BaseScope = Omit<ExprScope, 'matrix' | 'upstream'>;

/** `scope` with some fields replaced; written out rather than spread, as in `jobScope`. */
function withScope(scope: ExprScope, change: Partial<ExprScope>): ExprScope {
  return {
    params: change.params ?? scope.params,
    jobs: change.jobs ?? scope.jobs,
    allowRunStatus: change.allowRunStatus ?? scope.allowRunStatus,
    allowStatusFunctions: change.allowStatusFunctions ?? scope.allowStatusFunctions,
    matrix: 'matrix' in change ? change.matrix : scope.matrix,
    upstream: change.upstream ?? scope.upstream,
  };
}

/** Written out rather than spread from `base`: spreading per job was most of `jobScope`'s time. */
function jobScope(graph: WorkflowGraph, job: Job, base: BaseScope): ExprScope {
  const matrix =
    job.matrix === undefined
      ? undefined
      : job.matrix.kind === 'static'
        ? new Set(job.matrix.keys)
        : 'dynamic';
  return {
    params: base.params,
    jobs: base.jobs,
    allowRunStatus: base.allowRunStatus,
    allowStatusFunctions: base.allowStatusFunctions,
    matrix,
    upstream: graph.ancestors.get(job.name) ?? new Set(),
  };
}

function checkJob(checker: ExpressionChecker, graph: WorkflowGraph, job: Job, base: BaseScope): void {
  const scope = jobScope(graph, job, base);
  const { condition } = job;
  if (condition.path !== undefined) {
    checker.expression(
      condition.expr,
      withScope(scope, { allowStatusFunctions: true }),
      condition.path,
      condition.offset,
    );
  }
  for (const { template, path } of kindModule(job.kind).templates(job))
    checker.template(template, scope, path);
  checker.env(job.env, scope, job.path);
  if (job.matrix?.kind === 'dynamic')
    checker.template(job.matrix.from, withScope(scope, { matrix: undefined }), job.path);
  if (job.compensate !== undefined) checker.action(job.compensate, scope);
}

/**
 * Resolves every name in every expression against what is declared and upstream, and warns
 * about params and secrets that nothing uses.
 */
export function checkExpressions(
  workflow: Workflow,
  graph: WorkflowGraph,
  source: SourceMap,
): DiagnosticSink['list'] {
  const sink = new DiagnosticSink(source);
  const checker = new ExpressionChecker(sink);
  const base = {
    params: new Map(workflow.params.map((p) => [p.name, p.type])),
    // Most jobs declare no outputs: they share one empty set.
    jobs: new Map(
      workflow.jobs.map((j) => [j.name, j.outputs.length === 0 ? NO_OUTPUTS : new Set(j.outputs)]),
    ),
    allowRunStatus: false,
    allowStatusFunctions: false,
  };
  const none = { ...base, matrix: undefined, upstream: new Set<string>() };
  checker.env(workflow.env, none, ['spec', 'env']);
  for (const job of workflow.jobs) checkJob(checker, graph, job, base);
  if (workflow.onExit !== undefined) {
    checker.action(workflow.onExit, { ...none, upstream: new Set(graph.order), allowRunStatus: true });
  }
  for (const param of workflow.params) {
    if (!checker.usedParams.has(param.name)) {
      sink.warning('WF2101', param.path, `param "${param.name}" is declared but never used`, {
        target: 'key',
      });
    }
  }
  for (const secret of workflow.secrets) {
    if (!checker.usedSecrets.has(secret.name)) {
      sink.warning(
        'WF2102',
        [...secret.path, 'name'],
        `secret "${secret.name}" is declared but no env reads it`,
      );
    }
  }
  return sink.list;
}
