import type { JsonValue, StateMachine } from '../../compiler/asl/types.js';
import { invalidAsl } from './errors.js';
import { Interpreter } from './interpreter.js';
import type { SimulateOptions, SimulationResult } from './types.js';

/** The execution input of docs/compilation.md, with no params. */
export const DEFAULT_INPUT: JsonValue = { params: {}, run: { id: 'sim-run' }, jobs: {} };

/**
 * Runs a compiled state machine on a virtual clock, every job succeeding at its first attempt,
 * and measures its makespan, job timings, history events and state transitions. Throws a
 * `SimulationError` for ASL it cannot run, and a `deadlock` one when gates are never released.
 */
export function simulate(machine: StateMachine, options: SimulateOptions): SimulationResult {
  const interpreter = new Interpreter(options);
  let output: JsonValue | undefined;
  let end = 0;
  interpreter.startExecution('main', machine, options.input ?? DEFAULT_INPUT, (result) => {
    output = result;
    end = interpreter.queue.now;
  });
  interpreter.queue.drain();
  const { failure } = interpreter;
  if (failure === undefined && output === undefined) {
    throw interpreter.gates.deadlock() ?? invalidAsl('the execution never ended, yet no gate is waiting');
  }
  const events = interpreter.executions.map((e) => e.historyEvents);
  return {
    status: failure === undefined ? 'SUCCEEDED' : 'FAILED',
    ...(failure === undefined ? {} : { failure: { error: failure.error, cause: failure.cause } }),
    makespan: failure?.time ?? end,
    jobs: interpreter.timings(),
    historyEvents: events.reduce((a, b) => a + b, 0),
    maxExecutionHistoryEvents: Math.max(...events),
    maxPayloadBytes: interpreter.maxPayloadBytes,
    mainHistoryEvents: events[0] ?? 0,
    executions: interpreter.executions.length,
    transitions: interpreter.transitions,
    states: new Map([...interpreter.states].map(([name, counts]) => [name, { ...counts }])),
    output: output ?? null,
  };
}
