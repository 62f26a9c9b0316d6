import type { JsonValue } from '../../compiler/asl/types.js';
import type { KeyedEvent } from '../../runtime/run-log.js';
import type { DeployedWorkflow } from './workflows.js';

/** A run's params, and for a rerun the run it reruns and the job results it takes over. */
export interface RunInputParts {
  readonly runId: string;
  readonly params: { readonly [name: string]: JsonValue };
  readonly rerun?: { readonly of: string; readonly reuse: { readonly [job: string]: JsonValue } };
}

/** The execution input (docs/compilation.md, "The state data"), with `rerun` when it is one. */
export function runInput(parts: RunInputParts): { [key: string]: JsonValue } {
  return {
    params: parts.params,
    run: { id: parts.runId },
    jobs: {},
    ...(parts.rerun === undefined ? {} : { rerun: { of: parts.rerun.of, reuse: parts.rerun.reuse } }),
  };
}

/**
 * The `run-started` event of an execution, the same whether the submit handler writes it after
 * `StartExecution` or the recorder builds it from the execution's RUNNING event: same id, same
 * time (the execution's start date), same fields, so the log keeps one.
 */
export function runStartedEvent(
  workflowName: string,
  deployed: DeployedWorkflow | undefined,
  input: JsonValue | undefined,
  startDate: Date,
): KeyedEvent {
  const object = isObject(input) ? input : {};
  const params = isObject(object.params) ? object.params : {};
  const rerun = isObject(object.rerun) && typeof object.rerun.of === 'string' ? object.rerun.of : undefined;
  return {
    id: 'run-started',
    kind: 'run-started',
    at: startDate.toISOString(),
    workflow: workflowName,
    params,
    jobs: deployed?.jobs ?? [],
    ...(rerun === undefined ? {} : { rerunOf: rerun }),
  };
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
