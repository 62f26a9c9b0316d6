/** Why a simulation stopped: stable codes, so that tests and benches can tell cases apart. */
export type SimulationErrorCode =
  /** A path, intrinsic or template the simulator cannot evaluate. */
  | 'unsupported'
  /** The ASL is malformed: a missing state, a path that reads nothing. */
  | 'invalid-asl'
  /** Gates wait for upstream jobs that are never released. */
  | 'deadlock'
  /** A state stands for a job the options know nothing about. */
  | 'missing-input';

/** A simulation that cannot go on; `code` says why. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  readonly code: SimulationErrorCode;

  constructor(code: SimulationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Builds an `unsupported` error. */
export function unsupported(message: string): SimulationError {
  return new SimulationError('unsupported', message);
}

/** Builds an `invalid-asl` error. */
export function invalidAsl(message: string): SimulationError {
  return new SimulationError('invalid-asl', message);
}
