import type { State, StateGraph, StateMachine, TaskState } from '../../compiler/asl/types.js';
import type { StateInfo } from '../../compiler/compile/output.js';
import { gateTask as gate, releaseTask as release } from '../semantics/helpers.js';

/** Hand-written ASL in the shapes of docs/compilation.md, with the state map beside it. */
export interface Machine {
  readonly asl: StateMachine;
  readonly stateMap: { [stateName: string]: StateInfo };
}

type Link = { readonly Next: string } | { readonly End: true };

/** `Next` when there is a next state, else `End`. */
export function link(next: string | undefined): Link {
  return next === undefined ? { End: true } : { Next: next };
}

/** A container job's Task, as compiled: ECS `.sync`, trimmed result, written to `$.jobs.<job>`. */
export function ecsTask(job: string, next?: string): TaskState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: {
      Cluster: '${ClusterArn}',
      TaskDefinition: '${TaskDefinition_3f2a9c1b}',
      LaunchType: 'FARGATE',
      'StartedBy.$': "States.Format('{}/3f2a9c1b', $$.Execution.Name)",
      NetworkConfiguration: {
        AwsvpcConfiguration: { 'Subnets.$': "States.StringSplit('subnet-1,subnet-2', ',')" },
      },
      Tags: [{ Key: 'waterflow:run', 'Value.$': '$.run.id' }],
    },
    ResultSelector: { r: 'success', ok: true, 'x.$': '$.Containers[0].ExitCode' },
    ResultPath: `$.jobs['${job}']`,
    ...link(next),
  };
}

/** A gate: waits until every job of `upstream` has been released (the semantic tests' builder). */
export function gateTask(job: string, upstream: ReadonlyArray<string>, next?: string): TaskState {
  return gate(job, upstream, link(next));
}

/** A `done` state: releases `job` for the gates that wait for it. */
export function releaseTask(job: string, next?: string): TaskState {
  return release(job, link(next));
}

/** A graph running `states` in the given order. */
export function sequence(states: ReadonlyArray<readonly [string, State]>): StateGraph {
  const [first] = states;
  if (first === undefined) throw new Error('a sequence needs a state');
  return { StartAt: first[0], States: Object.fromEntries(states) };
}

/** The state map entries of the usual roles. */
export function roles(entries: { readonly [stateName: string]: readonly [string, StateInfo['role']] }) {
  const out: { [stateName: string]: StateInfo } = {};
  for (const [name, [job, role]] of Object.entries(entries)) {
    out[name] = role === 'run' ? { job, role, kind: 'container' } : { job, role };
  }
  return out;
}
