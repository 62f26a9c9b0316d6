import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatDiagnostic, validateWorkflow } from '../../compiler/index.js';
import {
  corpusMissingReason,
  instanceToWorkflow,
  instanceToWorkflowYaml,
  loadInstances,
  type WfInstance,
} from '../support/corpus.js';

const instances = loadInstances();
if (instances === undefined) console.log(`WfInstances corpus tests ${corpusMissingReason}`);

describe('instanceToWorkflow', () => {
  it('names jobs from their ids within the name pattern, unique, with needs from parents', () => {
    // Prepare
    const long = `NFCORE_RNASEQ.RNASEQ.FASTQ_QC_TRIM_FILTER_SETSTRANDEDNESS.${'X'.repeat(40)}_12`;
    const instance: WfInstance = {
      name: '1000genome-tiny',
      jobs: [
        { id: 'split.fastq', runtimeSeconds: 1.4, parents: [] },
        { id: 'split_fastq', runtimeSeconds: 0, parents: [] },
        { id: '2nd step', runtimeSeconds: 2.5, parents: ['split.fastq', 'split_fastq'] },
        { id: long, runtimeSeconds: 10, parents: ['2nd step'] },
      ],
    };

    // Act
    const { yaml, runtimes } = instanceToWorkflow(instance);

    // Assess
    expect(parse(yaml)).toStrictEqual({
      apiVersion: 'waterflow.io/v1',
      kind: 'Workflow',
      metadata: { name: 'wf-1000genome-tiny', description: 'WfCommons DAG 1000genome-tiny' },
      spec: {
        stages: [
          {
            name: 'dag',
            jobs: [
              { name: 'split_fastq', container: 'alpine:3.20', commands: ['sleep 1'] },
              { name: 'split_fastq-2', container: 'alpine:3.20', commands: ['sleep 0'] },
              {
                name: '_2nd_step',
                container: 'alpine:3.20',
                commands: ['sleep 3'],
                needs: ['split_fastq', 'split_fastq-2'],
              },
              {
                name: `X${'X'.repeat(39)}_12`,
                container: 'alpine:3.20',
                commands: ['sleep 10'],
                needs: ['_2nd_step'],
              },
            ],
          },
        ],
      },
    });
    expect([...runtimes]).toStrictEqual([
      ['split_fastq', 1.4],
      ['split_fastq-2', 0],
      ['_2nd_step', 2.5],
      [`X${'X'.repeat(39)}_12`, 10],
    ]);
    expect(validateWorkflow(yaml, 'tiny.yaml').diagnostics.map(formatDiagnostic)).toStrictEqual([]);
  });
});

describe.skipIf(instances === undefined)('the WfInstances corpus', () => {
  const all: WfInstance[] = instances ?? [];

  it('holds the 40 instances its README lists', () => {
    expect(all).toHaveLength(40);
  });

  it('turns every corpus DAG into a valid workflow', () => {
    for (const instance of all) {
      // Act
      const result = validateWorkflow(instanceToWorkflowYaml(instance), `${instance.name}.yaml`);

      // Assess
      expect(result.diagnostics.map(formatDiagnostic), instance.name).toStrictEqual([]);
      const jobs = result.workflow?.jobs ?? [];
      expect(jobs.length, instance.name).toBe(instance.jobs.length);
      const edges = (list: ReadonlyArray<{ readonly length: number }>): number =>
        list.reduce((sum, parents) => sum + parents.length, 0);
      expect(edges(jobs.map((job) => job.needs)), instance.name).toBe(
        edges(instance.jobs.map((job) => job.parents)),
      );
    }
  });
});
