import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, validateWorkflow, workflowJsonSchema } from '../compiler/index.js';
import { type CompileCommandOptions, compileCommand } from './compile-command.js';
import { toDot, toMermaid } from './graph-format.js';
import { CliError, type CliIo, ExitCode, processIo, readInput } from './io.js';
import { validateCommand } from './validate-command.js';

function buildProgram(io: CliIo, exit: { code: number }): Command {
  const program = new Command('waterflow')
    .description('Serverless workflows on AWS Step Functions and ECS Fargate, from YAML')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run "waterflow --help" for usage)');

  program
    .command('validate')
    .description('check workflow files; prints file:line:col CODE message for each problem')
    .argument('<files...>', 'workflow YAML files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (files: string[], options: { format: 'text' | 'json' }) => {
      exit.code = await validateCommand(files, options, io);
    });

  program
    .command('compile')
    .description('compile a workflow to Step Functions ASL and ECS task definition specs')
    .argument('<file>', 'workflow YAML file')
    .requiredOption('-o, --out <dir>', 'output directory')
    .addOption(new Option('--lowering <kind>', 'DAG lowering').choices(['exact', 'barrier']).default('exact'))
    .action(async (file: string, options: CompileCommandOptions) => {
      exit.code = await compileCommand(file, options, io);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the workflow language (for editors)')
    .action(() => {
      io.stdout(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
    });

  program
    .command('graph')
    .description('print the job graph of a workflow')
    .argument('<file>', 'workflow YAML file')
    .addOption(
      new Option('--format <format>', 'graph language').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action(async (file: string, options: { format: 'mermaid' | 'dot' }) => {
      const result = validateWorkflow(await readInput(io, file), file);
      if (result.workflow === undefined || result.graph === undefined) {
        for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        exit.code = ExitCode.failed;
        return;
      }
      const render = options.format === 'dot' ? toDot : toMermaid;
      io.stdout(render(result.workflow, result.graph));
    });
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: ReadonlyArray<string>, io: CliIo = processIo): Promise<number> {
  const exit = { code: ExitCode.ok as number };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      io.stderr(`waterflow: ${error.message}\n`);
      return error.code;
    }
    throw error;
  }
}
