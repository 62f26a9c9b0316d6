export type { EcsTask, StopCode } from './ecs-task.js';
export { type AttemptResult, KILL_GRACE_MS, type RunAttempt, runOnHost } from './host-runner.js';
export { OUTPUT_FILE, parseOutputs, readOutputs } from './outputs.js';
export { shortHash } from './short-hash.js';
