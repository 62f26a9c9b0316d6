/**
 * How many execution history events Step Functions writes per state, on the success path.
 *
 * Sources: the `HistoryEvent` type list of the Step Functions API reference
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html) for the
 * event names, and LocalStack's Step Functions emulator (`state_task_service_callback.py`) for
 * the order: a Task writes TaskStateEntered, TaskScheduled, TaskStarted, then TaskSubmitted only
 * for `.sync`, `.sync:2` and `.waitForTaskToken` resources, then TaskSucceeded and TaskStateExited.
 */
export const HISTORY_EVENTS = {
  /** ExecutionStarted, ExecutionSucceeded (or ExecutionFailed). */
  execution: 2,
  /** TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited. */
  taskRequestResponse: 5,
  /** The same plus TaskSubmitted. */
  taskSyncOrCallback: 6,
  /** <Type>StateEntered, <Type>StateExited: Pass, Choice, Wait, Succeed. */
  simple: 2,
  /** FailStateEntered (ExecutionFailed is counted with the execution). */
  fail: 1,
  /** ParallelStateEntered, ParallelStateStarted, ParallelStateSucceeded, ParallelStateExited. */
  parallel: 4,
  /** MapStateEntered, MapStateStarted, MapStateSucceeded, MapStateExited. */
  map: 4,
  /** MapIterationStarted, MapIterationSucceeded, per item of an inline Map. */
  mapIteration: 2,
  /** MapRunStarted, MapRunSucceeded: a distributed Map's run, in the parent's history. */
  mapRun: 2,
} as const;

/** Whether a Task resource waits (`.sync`, `.sync:2`, `.waitForTaskToken`), which adds TaskSubmitted. */
export function waitsForCompletion(resource: string): boolean {
  return /\.(sync(:2)?|waitForTaskToken)$/.test(resource);
}

/** Events one successful Task state writes. */
export function taskEvents(resource: string): number {
  return waitsForCompletion(resource)
    ? HISTORY_EVENTS.taskSyncOrCallback
    : HISTORY_EVENTS.taskRequestResponse;
}
