export { SimulationError, type SimulationErrorCode } from './errors.js';
export { HISTORY_EVENTS } from './history.js';
export { DEFAULT_INPUT, simulate } from './simulate.js';
export type { JobTiming, SimulateOptions, SimulationResult, StateCounts, TaskTarget } from './types.js';
