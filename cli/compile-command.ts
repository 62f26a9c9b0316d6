import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CompileOptions, compileWorkflow, formatDiagnostic } from '../compiler/index.js';
import { CliError, type CliIo, ExitCode, makeDirectory, readInput } from './io.js';

export interface CompileCommandOptions {
  readonly out: string;
  readonly lowering: NonNullable<CompileOptions['lowering']>;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * `waterflow compile FILE -o DIR`: writes `<name>.asl.json` (and the parts of a split
 * workflow), `<name>.taskdefs.json` (containers, volumes) and `<name>.compile.json`
 * (substitutions, IAM of the machine, task and execution roles, schedules, concurrency, state map,
 * figures); prints a summary on stderr.
 */
export async function compileCommand(
  file: string,
  options: CompileCommandOptions,
  io: CliIo,
): Promise<number> {
  const result = compileWorkflow(await readInput(io, file), file, { lowering: options.lowering });
  for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  const output = result.output;
  if (output === undefined) return ExitCode.failed;
  const name = /^Waterflow workflow ([a-z0-9-]+)/.exec(output.asl.Comment ?? '')?.[1] ?? 'workflow';
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  try {
    await makeDirectory(options.out);
    await writeFile(join(options.out, `${name}.asl.json`), json(output.asl));
    for (const child of output.children)
      await writeFile(join(options.out, `${child.name}.asl.json`), json(child.asl));
    await writeFile(join(options.out, `${name}.taskdefs.json`), json(output.taskDefinitions));
    const { substitutions, permissions, taskRolePermissions, executionRolePermissions } = output;
    const { schedules, concurrency, stateMap, stats } = output;
    await writeFile(
      join(options.out, `${name}.compile.json`),
      json({
        substitutions,
        permissions,
        taskRolePermissions,
        executionRolePermissions,
        schedules,
        concurrency,
        stateMap,
        stats,
      }),
    );
  } catch (error) {
    throw new CliError(
      `cannot write to ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const s = output.stats;
  io.stderr(
    `${[
      `${file}: compiled ${name} (${options.lowering} lowering) to ${options.out}/`,
      `  jobs ${s.jobs}, states ${s.states}, gates ${s.gates}, parts ${s.parts}, task definitions ${output.taskDefinitions.length}`,
      `  definition ${kb(s.definitionBytes)} (limit 1024 KB), history events per run ~${s.estimatedHistoryEvents} (limit 25000)`,
      `  transitions per run ${s.transitionsPerRun}, largest payload ~${kb(s.estimatedMaxPayloadBytes)} (limit 256 KB)`,
    ].join('\n')}\n`,
  );
  return ExitCode.ok;
}
