import { describe, expect, it } from 'vitest';
import { SimulationError, simulate } from '../../bench/simulator/index.js';
import type { StateMachine } from '../../compiler/asl/types.js';
import { ecsTask, gateTask, releaseTask, roles, sequence } from './machines.js';

const durations = (table: { readonly [job: string]: number }) => (job: string) => table[job] ?? Number.NaN;

describe('simulate', () => {
  it('ends a Parallel of two tasks when the longer one ends', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'build',
      States: {
        build: {
          Type: 'Parallel',
          Branches: [sequence([['a', ecsTask('a')]]), sequence([['b', ecsTask('b')]])],
          ResultPath: null,
          End: true,
        },
      },
    };
    const stateMap = {
      ...roles({ a: ['a', 'run'], b: ['b', 'run'] }),
      build: { role: 'structure' as const },
    };

    // Act
    const result = simulate(asl, { stateMap, durations: durations({ a: 30, b: 70 }) });

    // Assess
    expect(result.makespan).toBe(70);
    expect(result.jobs.get('a')).toStrictEqual({ start: 0, end: 30 });
    expect(result.jobs.get('b')).toStrictEqual({ start: 0, end: 70 });
  });

  it('adds up the durations of a sequence, with the task start latency per task', () => {
    // Prepare
    const asl = sequence([
      ['a', ecsTask('a', 'b')],
      ['b', ecsTask('b', 'c')],
      ['c', ecsTask('c')],
    ]);
    const stateMap = roles({ a: ['a', 'run'], b: ['b', 'run'], c: ['c', 'run'] });

    // Act
    const plain = simulate(asl, { stateMap, durations: durations({ a: 5, b: 7, c: 11 }) });
    const slow = simulate(asl, {
      stateMap,
      durations: durations({ a: 5, b: 7, c: 11 }),
      taskStartLatency: 20,
    });

    // Assess
    expect(plain.makespan).toBe(23);
    expect(slow.makespan).toBe(83);
    expect(slow.jobs.get('c')).toStrictEqual({ start: 52, end: 83 });
  });

  it('starts c when a ends and d when a and b have ended, in the N shape', () => {
    // Prepare: a -> c, a -> d, b -> d, lowered as [a, a done, c] || [b, d gate, d].
    const asl: StateMachine = {
      StartAt: 'a',
      States: {
        a: {
          Type: 'Parallel',
          Branches: [
            sequence([
              ['a', ecsTask('a', 'a done')],
              ['a done', releaseTask('a', 'c')],
              ['c', ecsTask('c')],
            ]),
            sequence([
              ['b', ecsTask('b', 'd gate')],
              ['d gate', gateTask('d', ['a'], 'd')],
              ['d', ecsTask('d')],
            ]),
          ],
          ResultPath: null,
          End: true,
        },
      },
    };
    const stateMap = roles({
      a: ['a', 'run'],
      'a done': ['a', 'release'],
      b: ['b', 'run'],
      c: ['c', 'run'],
      'd gate': ['d', 'gate'],
      d: ['d', 'run'],
    });
    const options = { stateMap, durations: durations({ a: 10, b: 4, c: 3, d: 2 }) };

    // Act
    const exact = simulate(asl, options);
    const withLatency = simulate(asl, { ...options, gateLatency: 1 });

    // Assess
    expect(exact.jobs.get('c')?.start).toBe(exact.jobs.get('a')?.end);
    expect(exact.jobs.get('d')?.start).toBe(10);
    expect(exact.makespan).toBe(13);
    expect(withLatency.jobs.get('d')?.start).toBe(11);
    expect(withLatency.makespan).toBe(14);
  });

  it('releases a job marked releasedOnSuccess when its task ends, without a done state', () => {
    // Prepare: the recorder releases a; its branch goes straight on to c.
    const asl: StateMachine = {
      StartAt: 'a',
      States: {
        a: {
          Type: 'Parallel',
          Branches: [
            sequence([
              ['a', ecsTask('a', 'c')],
              ['c', ecsTask('c')],
            ]),
            sequence([
              ['b', ecsTask('b', 'd gate')],
              ['d gate', gateTask('d', ['a'], 'd')],
              ['d', ecsTask('d')],
            ]),
          ],
          ResultPath: null,
          End: true,
        },
      },
    };
    const stateMap = {
      ...roles({ b: ['b', 'run'], c: ['c', 'run'], 'd gate': ['d', 'gate'], d: ['d', 'run'] }),
      a: { job: 'a', role: 'run' as const, kind: 'container', releasedOnSuccess: true as const },
    };

    // Act
    const result = simulate(asl, {
      stateMap,
      durations: durations({ a: 10, b: 4, c: 3, d: 2 }),
      gateLatency: 1,
    });

    // Assess
    expect(result.jobs.get('c')?.start).toBe(10);
    expect(result.jobs.get('d')?.start).toBe(11);
    expect(result.makespan).toBe(13);
  });

  it('answers a gate at once when its upstream jobs were released before it started', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'a',
      States: {
        a: ecsTask('a', 'a done'),
        'a done': releaseTask('a', 'b gate'),
        'b gate': gateTask('b', ['a'], 'b'),
        b: ecsTask('b'),
      },
    };
    const stateMap = roles({
      a: ['a', 'run'],
      'a done': ['a', 'release'],
      'b gate': ['b', 'gate'],
      b: ['b', 'run'],
    });

    // Act
    const result = simulate(asl, { stateMap, durations: durations({ a: 10, b: 5 }), gateLatency: 2 });

    // Assess: 10, then the release (2), then the gate (2), then 5.
    expect(result.makespan).toBe(19);
  });

  it('waits the seconds of a Wait state', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'pause',
      States: { pause: { Type: 'Wait', Seconds: 30, Next: 'a' }, a: ecsTask('a') },
    };

    // Act
    const result = simulate(asl, { stateMap: roles({ a: ['a', 'run'] }), durations: durations({ a: 10 }) });

    // Assess
    expect(result.jobs.get('a')).toStrictEqual({ start: 30, end: 40 });
    expect(result.makespan).toBe(40);
  });

  it('runs six Map items two at a time in three rounds', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'shards',
      States: {
        shards: {
          Type: 'Map',
          ItemsPath: '$.params.shards',
          ItemSelector: { 'index.$': '$$.Map.Item.Index', 'run.$': '$.run' },
          MaxConcurrency: 2,
          ItemProcessor: sequence([['shard', ecsTask('shard')]]),
          ResultPath: null,
          End: true,
        },
      },
    };
    const input = { params: { shards: [1, 2, 3, 4, 5, 6] }, run: { id: 'r' }, jobs: {} };

    // Act
    const result = simulate(asl, {
      stateMap: roles({ shard: ['shard', 'run'] }),
      durations: durations({ shard: 10 }),
      input,
    });

    // Assess
    expect(result.makespan).toBe(30);
    expect(result.transitions).toBe(7);
    expect(result.historyEvents).toBe(2 + 4 + 6 * 2 + 6 * 6);
  });

  it('counts the history events and state transitions of a small machine', () => {
    // Prepare: Pass, Parallel of two ECS tasks, Choice on a job's result, Succeed.
    const asl: StateMachine = {
      StartAt: 'init',
      States: {
        init: { Type: 'Pass', Result: {}, ResultPath: '$.gates', Next: 'work' },
        work: {
          Type: 'Parallel',
          Branches: [sequence([['a', ecsTask('a')]]), sequence([['b', ecsTask('b')]])],
          ResultSelector: { 'jobs.$': 'States.JsonMerge($[0].jobs, $[1].jobs, false)' },
          ResultPath: '$.merged',
          Next: 'check',
        },
        check: {
          Type: 'Choice',
          Choices: [{ Variable: "$.merged.jobs['b'].ok", BooleanEquals: true, Next: 'ok' }],
          Default: 'bad',
        },
        ok: { Type: 'Succeed' },
        bad: { Type: 'Fail', Error: 'Waterflow.JobFailed' },
      },
    };
    const stateMap = roles({ a: ['a', 'run'], b: ['b', 'run'] });

    // Act
    const result = simulate(asl, { stateMap, durations: durations({ a: 1, b: 2 }) });

    // Assess: execution 2, Pass 2, Parallel 4, two .sync Tasks 6 each, Choice 2, Succeed 2.
    expect(result.status).toBe('SUCCEEDED');
    expect(result.historyEvents).toBe(24);
    expect(result.transitions).toBe(6);
    expect(result.states.get('work')).toStrictEqual({ entered: 1, events: 4 });
    expect(result.states.get('a')).toStrictEqual({ entered: 1, events: 6 });
    expect(result.output).toStrictEqual({
      params: {},
      run: { id: 'sim-run' },
      jobs: {},
      gates: {},
      merged: {
        jobs: { a: { r: 'success', ok: true, x: 0 }, b: { r: 'success', ok: true, x: 0 } },
      },
    });
  });

  it('names the gate that can never be released', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'b gate',
      States: { 'b gate': gateTask('b', ['ghost'], 'b'), b: ecsTask('b') },
    };
    const stateMap = roles({ 'b gate': ['b', 'gate'], b: ['b', 'run'] });

    // Act
    const act = () => simulate(asl, { stateMap, durations: durations({ b: 1 }) });

    // Assess
    expect(act).toThrow(SimulationError);
    expect(act).toThrow('deadlock: gate "b gate" waits for "ghost", never released');
  });

  it('refuses an intrinsic it does not implement, naming it and the state', () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'hash',
      States: { hash: { Type: 'Pass', Parameters: { 'h.$': "States.Hash('x', 'SHA-256')" }, End: true } },
    };

    // Act
    const act = () => simulate(asl, { stateMap: {}, durations: () => 0 });

    // Assess
    expect(act).toThrow('state "hash": the simulator does not implement the intrinsic States.Hash');
  });

  it('runs a part as a child execution with a history of its own', () => {
    // Prepare
    const child: StateMachine = { StartAt: 'b', States: { b: ecsTask('b') } };
    const asl: StateMachine = {
      StartAt: 'part 1',
      States: {
        'part 1': {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: 'arn:child', 'Input.$': '$' },
          ResultSelector: { 'jobs.$': '$.Output.jobs' },
          ResultPath: '$.part',
          Next: 'a',
        },
        a: ecsTask('a'),
      },
    };
    const stateMap = {
      ...roles({ a: ['a', 'run'], b: ['b', 'run'] }),
      'part 1': { role: 'part' as const, part: 'child' },
    };

    // Act
    const result = simulate(asl, {
      stateMap,
      children: new Map([['child', child]]),
      durations: durations({ a: 3, b: 4 }),
    });

    // Assess
    expect(result.makespan).toBe(7);
    expect(result.executions).toBe(2);
    expect(result.historyEvents).toBe(2 + 6 + 6 + (2 + 6));
    expect(result.maxExecutionHistoryEvents).toBe(14);
  });
});
