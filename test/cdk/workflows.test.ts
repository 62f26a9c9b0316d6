import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { usedSubstitutions } from '../../cdk/lib/workflows.js';
import { type CompileOutput, compileWorkflow } from '../../compiler/index.js';
import { root } from '../support/files.js';
import { actionsOf, type Json, policyStatements, type Resource, synthStack } from './support.js';

const examples = join(root, 'examples');
const files = readdirSync(examples)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

interface Example {
  readonly file: string;
  readonly output: CompileOutput;
  readonly name: string;
}

// One synth for the whole file, with workflowsDir = examples/ as `cdk synth -c workflowsDir=examples` does.
let template: Template;
let resources: Record<string, Resource>;
let errors: ReadonlyArray<string>;
const compiled: Example[] = files.map((file) => {
  const result = compileWorkflow(readFileSync(join(examples, file), 'utf8'), file);
  if (result.output === undefined || result.workflow === undefined)
    throw new Error(`${file} does not compile`);
  return { file, output: result.output, name: result.workflow.name };
});

beforeAll(() => {
  const synthesized = synthStack({ workflowsDir: examples });
  template = synthesized.template;
  resources = template.toJSON().Resources as Record<string, Resource>;
  errors = synthesized.errors;
});

function machineNamed(name: string): Resource {
  const found = Object.values(resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === name,
  );
  expect(found.length, name).toBe(1);
  return found[0] as Resource;
}

describe('workflows of workflowsDir', () => {
  it('deploys one state machine per example, and nothing else', () => {
    const names = Object.values(resources)
      .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map((r) => r.Properties?.StateMachineName)
      .sort();
    const expected = compiled.flatMap((e) => [e.name, ...e.output.children.map((c) => c.name)]).sort();
    expect(names).toStrictEqual(expected);
    expect(compiled.length).toBe(files.length);
  });

  it.each(files)('deploys %s with the very definition the compiler makes', (file) => {
    // Prepare
    const example = compiled.find((e) => e.file === file) as Example;
    const names = new Set(example.output.substitutions.map((s) => s.name));

    // Act
    const machine = machineNamed(example.name);
    const definition = JSON.parse(String(machine.Properties?.DefinitionString)) as Json;
    const substitutions = machine.Properties?.DefinitionSubstitutions as Record<string, Json>;

    // Assess
    expect(definition).toStrictEqual(JSON.parse(JSON.stringify(example.output.asl)));
    expect(Object.keys(substitutions).sort()).toStrictEqual(usedSubstitutions(example.output.asl, names));
    for (const [name, value] of Object.entries(substitutions)) {
      expect(value, name).not.toBe('');
      if (name.startsWith('TaskDefinition_')) {
        const ref = (value as { Ref: string }).Ref;
        expect(resources[ref]?.Type, name).toBe('AWS::ECS::TaskDefinition');
      }
    }
  });

  it.each(files)('resolves the substitutions of %s to the stack resources they name', (file) => {
    const example = compiled.find((e) => e.file === file) as Example;
    const substitutions = machineNamed(example.name).Properties?.DefinitionSubstitutions as Record<
      string,
      Json
    >;
    const ref = (value: Json | undefined): string => JSON.stringify(value);
    const cluster = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ECS::Cluster')?.[0];
    if ('ClusterArn' in substitutions) {
      expect(ref(substitutions.ClusterArn)).toBe(JSON.stringify({ 'Fn::GetAtt': [cluster, 'Arn'] }));
    }
    if ('ArtifactsBucket' in substitutions)
      expect(ref(substitutions.ArtifactsBucket)).toMatch(/StorageArtifacts/);
    if ('GateFunctionArn' in substitutions)
      expect(ref(substitutions.GateFunctionArn)).toMatch(/HandlersGates/);
    if ('ApprovalFunctionArn' in substitutions) {
      expect(ref(substitutions.ApprovalFunctionArn)).toMatch(/HandlersApprovalRequest/);
    }
    if ('RunsFunctionArn' in substitutions)
      expect(ref(substitutions.RunsFunctionArn)).toMatch(/HandlersRunsApi/);
  });

  it.each(files)(
    'registers every task definition of %s with its containers and log configuration',
    (file) => {
      const example = compiled.find((e) => e.file === file) as Example;
      for (const spec of example.output.taskDefinitions) {
        const found = Object.values(resources).filter(
          (r) => r.Type === 'AWS::ECS::TaskDefinition' && r.Properties?.Family === spec.family,
        );
        expect(found.length, spec.family).toBe(1);
        const properties = found[0]?.Properties ?? {};
        expect(properties.Cpu).toBe(String(spec.cpu));
        expect(properties.Memory).toBe(String(spec.memory));
        const containers = properties.ContainerDefinitions as Array<{ [key: string]: Json }>;
        expect(containers.map((c) => c.Name)).toStrictEqual(spec.containers.map((c) => c.name));
        for (const container of containers) {
          expect((container.LogConfiguration as { LogDriver: string }).LogDriver).toBe('awslogs');
        }
      }
    },
  );

  it('logs every execution at level ALL without execution data, and traces it with X-Ray', () => {
    for (const [id, machine] of Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
    )) {
      expect(machine.Properties?.TracingConfiguration, id).toStrictEqual({ Enabled: true });
      expect(machine.Properties?.LoggingConfiguration, id).toMatchObject({
        Level: 'ALL',
        IncludeExecutionData: false,
      });
    }
  });

  it('gives each workflow role exactly the actions of its compile output, plus logs and X-Ray', () => {
    for (const example of compiled) {
      const machine = machineNamed(example.name);
      const roleArn = (machine.Properties?.RoleArn ?? { 'Fn::GetAtt': [''] }) as { 'Fn::GetAtt': [string] };
      const roleId = roleArn['Fn::GetAtt'][0];
      const policies = Object.entries(resources).filter(
        ([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(roleId),
      );
      const actions = new Set(
        policyStatements(Object.fromEntries(policies)).flatMap(({ statement }) => actionsOf(statement)),
      );
      const compilerActions = example.output.permissions.flatMap((p) => [...p.actions]);
      for (const action of compilerActions)
        expect(actions.has(action), `${example.name} ${action}`).toBe(true);
      const extra = [...actions].filter(
        (a) => !compilerActions.includes(a) && !a.startsWith('logs:') && !a.startsWith('xray:'),
      );
      expect(extra, example.name).toStrictEqual([]);
    }
  });

  it('scopes iam:PassRole of each workflow role to its own task and execution roles', () => {
    for (const { statement } of policyStatements(resources)) {
      if (!actionsOf(statement).includes('iam:PassRole')) continue;
      const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const target of targets) expect(JSON.stringify(target)).toMatch(/Role|SubmitRole|Fn::GetAtt/);
    }
  });

  it('passes cdk-nag with the workflows deployed', () => {
    expect(errors.filter((e) => e.includes('AwsSolutions-'))).toStrictEqual([]);
  });
});
