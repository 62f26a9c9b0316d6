import type { ScheduledStart } from './deploy.js';
import type { StartOutcome } from './start.js';
import { InvalidParamsError, type SubmitDeps, startWorkflowRun, WorkflowNotFoundError } from './submit.js';

/**
 * A schedule's invocation (EventBridge Scheduler -> the submit function): starts the run named
 * by the schedule and its fire time, so that Scheduler's retries start it once. A schedule whose
 * workflow is gone or whose params no longer fit is answered, not thrown: retrying cannot help.
 */
export async function startScheduledRun(
  deps: SubmitDeps,
  event: ScheduledStart,
): Promise<StartOutcome | { readonly status: 'not-started'; readonly reason: string }> {
  try {
    return await startWorkflowRun(deps, {
      workflow: event.workflow,
      params: new Map(Object.entries(event.params)),
      key: `schedule:${event.schedule}@${event.scheduledTime}`,
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || error instanceof InvalidParamsError) {
      return { status: 'not-started', reason: error.message };
    }
    throw error;
  }
}
