import { closest } from '../diagnostics/suggest.js';

/**
 * What users of GitHub Actions, Argo and zen-flow write for our fields. Too far apart for an
 * edit-distance suggestion, but the intent is clear.
 */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  'continue-on-error': 'continueOnFailure',
  continueOnError: 'continueOnFailure',
  continueOn: 'continueOnFailure',
  'timeout-minutes': 'timeout',
  activeDeadlineSeconds: 'timeout',
  retryStrategy: 'retry',
  retryPolicy: 'retry',
  retries: 'retry',
  limit: 'maxAttempts',
  dependencies: 'needs',
  depends: 'needs',
  image: 'container',
  'runs-on': 'container',
  run: 'commands',
  script: 'commands',
  command: 'commands',
  args: 'commands',
  steps: 'jobs',
  tasks: 'jobs',
  strategy: 'matrix',
  withItems: 'matrix',
  onExitHandler: 'onExit',
  exitHandler: 'onExit',
  podFailurePolicy: 'exitCodes',
  'max-parallel': 'maxParallel',
  'fail-fast': 'failFast',
  parallelism: 'maxParallel',
  inputs: 'params',
  parameters: 'params',
  arguments: 'params',
  on: 'schedule',
};

/** The field an unknown key most likely stands for, among the `known` fields of its object. */
export function suggestField(key: string, known: ReadonlyArray<string>): string | undefined {
  const alias = FIELD_ALIASES[key];
  if (alias !== undefined && known.includes(alias)) return alias;
  return closest(key, known);
}
