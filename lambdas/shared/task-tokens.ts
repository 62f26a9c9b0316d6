import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { UndeliveredReason } from '../../runtime/approvals.js';

/** A waiting task's answer: success with an output, or failure with an error name and a cause. */
export type TaskAnswer =
  | { readonly token: string; readonly output: unknown }
  | { readonly token: string; readonly error: string; readonly cause: string };

/** Whether the task got the answer; when it did not, why (the task is no longer waiting). */
export type Delivery =
  | { readonly delivered: true }
  | { readonly delivered: false; readonly reason: UndeliveredReason };

/** Step Functions' errors that mean "nobody waits for this token any more", not "try again". */
const GONE: Readonly<Record<string, UndeliveredReason>> = {
  TaskTimedOut: 'task-timed-out',
  TaskDoesNotExist: 'task-does-not-exist',
  InvalidToken: 'invalid-token',
};

/** Any other failure to answer a task; its message names the SDK error but never its text. */
export class TaskAnswerError extends Error {
  readonly code: 'WF9201';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.TaskAnswerError';
    this.code = 'WF9201';
  }
}

/**
 * Answers a waiting task with `SendTaskSuccess` or `SendTaskFailure`. A task that no longer waits
 * (`TaskTimedOut`, `TaskDoesNotExist`, `InvalidToken`) is a result, not an error; anything else
 * throws a `TaskAnswerError` whose message leaves out the SDK's own, which may quote the token.
 */
export async function answerTask(sfn: SFNClient, answer: TaskAnswer): Promise<Delivery> {
  try {
    if ('error' in answer) {
      await sfn.send(
        new SendTaskFailureCommand({ taskToken: answer.token, error: answer.error, cause: answer.cause }),
      );
    } else {
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: answer.token, output: JSON.stringify(answer.output) }),
      );
    }
    return { delivered: true };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    const reason = GONE[name];
    if (reason !== undefined) return { delivered: false, reason };
    const operation = 'error' in answer ? 'SendTaskFailure' : 'SendTaskSuccess';
    throw new TaskAnswerError(`${operation} failed with ${name}; the task still waits`);
  }
}
