import { describe, expect, it } from 'vitest';
import type { MapState, State } from '../../../compiler/asl/types.js';
import { compileWorkflow } from '../../../compiler/compile/compile.js';
import type { CompileOutput } from '../../../compiler/compile/output.js';
import { formatDiagnostic } from '../../../compiler/index.js';
import { INLINE_MATRIX_HISTORY_BUDGET, isDistributedMatrix } from '../../../compiler/lower/matrix.js';
import { job, workflowYaml } from '../../support/workflow.js';

/** A workflow whose only job `test` has this matrix. */
function matrixYaml(matrix: Record<string, unknown>, fields: Record<string, unknown> = {}): string {
  return workflowYaml({ stages: [{ name: 's', jobs: [job('test', { matrix, ...fields })] }] });
}

function compiled(yaml: string): CompileOutput {
  const { output, diagnostics } = compileWorkflow(yaml, 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return output;
}

function mapOf(output: CompileOutput): MapState {
  const state: State | undefined = output.asl.States.test;
  if (state?.Type !== 'Map') throw new Error(`"test" is a ${state?.Type ?? 'missing'} state`);
  return state;
}

/** `count` distinct values for one matrix key. */
const values = (count: number) => Array.from({ length: count }, (_, i) => i);

describe('a static matrix', () => {
  it('stays an inline Map with 10 items and maxParallel 4', () => {
    // Act
    const map = mapOf(compiled(matrixYaml({ values: { shard: values(10) }, maxParallel: 4 })));

    // Assess
    expect(map.ItemProcessor.ProcessorConfig).toStrictEqual({ Mode: 'INLINE' });
    expect(map.ItemsPath).toBe('$.mx.test');
    expect(map.MaxConcurrency).toBe(4);
    expect(map.ResultWriter).toBeUndefined();
  });

  it('becomes a distributed Map with 2,000 items and maxParallel 4, past the history budget', () => {
    // Act
    const output = compiled(matrixYaml({ values: { a: values(50), b: values(40) }, maxParallel: 4 }));

    // Assess
    const map = mapOf(output);
    expect(map.ItemProcessor.ProcessorConfig).toStrictEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(map.ItemsPath).toBe('$.mx.test.items');
    expect(map.ItemReader).toBeUndefined();
    expect(map.MaxConcurrency).toBe(4);
    expect(map.ResultWriter).toStrictEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: '${ArtifactsBucket}', 'Prefix.$': '$.mx.test.results' },
    });
    // The parent's history holds the Map, not its 2,000 items.
    expect(output.stats.estimatedHistoryEvents).toBeLessThan(100);
  });

  it('becomes a distributed Map with 9 items when maxParallel is above 40', () => {
    // Act
    const map = mapOf(compiled(matrixYaml({ values: { a: values(3), b: values(3) }, maxParallel: 50 })));

    // Assess
    expect(map.ItemProcessor.ProcessorConfig?.Mode).toBe('DISTRIBUTED');
    expect(map.MaxConcurrency).toBe(50);
  });

  it('stays inline with exactly 40 at once', () => {
    // Act
    const map = mapOf(compiled(matrixYaml({ values: { shard: values(100) }, maxParallel: 40 })));

    // Assess
    expect(map.ItemProcessor.ProcessorConfig?.Mode).toBe('INLINE');
    expect(map.MaxConcurrency).toBe(40);
  });

  it('switches at the history budget: items times one item events', () => {
    expect(isDistributedMatrix({ maxParallel: 4 }, 500, 10)).toBe(false);
    expect(isDistributedMatrix({ maxParallel: 4 }, 501, 10)).toBe(true);
    expect(isDistributedMatrix({}, 10, INLINE_MATRIX_HISTORY_BUDGET / 10)).toBe(false);
    expect(isDistributedMatrix({ maxParallel: 41 }, 1, 10)).toBe(true);
  });

  it('counts every inline item in the history estimate', () => {
    // Prepare
    const small = compiled(matrixYaml({ values: { shard: values(10) } }));
    const large = compiled(matrixYaml({ values: { shard: values(20) } }));

    // Act
    const perItem = (large.stats.estimatedHistoryEvents - small.stats.estimatedHistoryEvents) / 10;

    // Assess: MapIterationStarted, MapIterationSucceeded, the Task (6), `test item passed` (2).
    expect(perItem).toBe(10);
  });

  it('keeps its items out of the state after the Map when its result is not recorded', () => {
    // Act
    const map = mapOf(compiled(matrixYaml({ values: { shard: values(9) }, maxParallel: 100 })));

    // Assess: the Map Run's ARN and manifest take the items' place.
    expect(map.ResultPath).toBe('$.mx.test');
    expect(map.ToleratedFailurePercentage).toBeUndefined();
  });

  it('ends a failed item of a distributed failFast: false matrix in a Fail with its own error', () => {
    // Act
    const map = mapOf(
      compiled(matrixYaml({ values: { shard: values(9) }, maxParallel: 100, failFast: false })),
    );

    // Assess
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.ItemProcessor.States['test item failed']).toStrictEqual({
      Type: 'Fail',
      ErrorPath: '$.err.Error',
      CausePath: '$.err.Cause',
    });
  });

  it('asks only for what a Map over items in the state needs: no read of job outputs', () => {
    // Act
    const output = compiled(matrixYaml({ values: { shard: values(9) }, maxParallel: 100 }));

    // Assess
    expect(output.permissions.map((p) => p.sid).filter((sid) => /Matrix|JobOutputs/.test(sid))).toStrictEqual(
      ['CountMatrixItems', 'StartMatrixItems', 'WatchMatrixItems', 'WriteMatrixResults'],
    );
  });
});

describe('the payload of a static matrix', () => {
  it('is an error when its items alone pass 256 KB', () => {
    // Prepare: 10,000 items of about 30 bytes each.
    const yaml = matrixYaml({
      values: { region: values(100).map((n) => `region-name-${n}`), shard: values(100) },
    });

    // Act
    const { diagnostics } = compileWorkflow(yaml, 'test.yaml');

    // Assess
    expect(diagnostics.map(formatDiagnostic)).toMatchInlineSnapshot(`
      [
        "test.yaml:14:13 WF4001 job "test": the matrix's 10000 items take 379 KB in the state (about 380 KB with the rest of it); Step Functions allows 256 KB per state
        hint: use fewer or shorter values, or fromJson with an upstream output, whose items are read from S3",
      ]
    `);
  });

  it('counts the items in the payload estimate of the compiler', () => {
    // Prepare
    const items = (n: number) => values(n).map((shard) => ({ shard }));
    const small = compiled(matrixYaml({ values: { shard: values(10) } }));
    const large = compiled(matrixYaml({ values: { shard: values(1_000) } }));

    // Act
    const added = large.stats.estimatedMaxPayloadBytes - small.stats.estimatedMaxPayloadBytes;

    // Assess
    expect(added).toBe(JSON.stringify(items(1_000)).length - JSON.stringify(items(10)).length);
  });

  it('says nothing for a small matrix', () => {
    // Act
    const { diagnostics } = compileWorkflow(matrixYaml({ values: { shard: values(100) } }), 'test.yaml');

    // Assess
    expect(diagnostics).toStrictEqual([]);
  });
});
