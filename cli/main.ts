import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, validateWorkflow, workflowJsonSchema } from '../compiler/index.js';
import { type CompileCommandOptions, compileCommand } from './compile-command.js';
import { toDot, toMermaid } from './graph-format.js';
import { CliError, type CliIo, ExitCode, processIo, readInput } from './io.js';
import type { RunCommandOptions } from './run-commands.js';
import { validateCommand } from './validate-command.js';

/**
 * The run commands with the local runtime behind them, loaded by the commands that use them:
 * loading them took about 0.2 s of every `waterflow compile`, `validate` and `--help`.
 */
const runCommands = () => import('./run-commands.js');

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
  // Absolute, so that every path under it means the same in a job's own working directory.
  const home = () => resolve(process.env.WATERFLOW_HOME ?? '.waterflow');
  const collect = (value: string, previous: string[]) => [...previous, value];
  const runOptions = (command: Command) =>
    command
      .option('-p, --param <name=value>', 'a param of the run (repeatable)', collect, [])
      .addOption(
        new Option('--runner <runner>', 'where jobs run: docker if an engine answers, else the host shell')
          .choices(['auto', 'host', 'docker'])
          .default('auto'),
      )
      .option('--json', 'print the final run record as JSON on stdout')
      .option('--port <port>', 'port of the local approval server (default: a free one)', toPort)
      .option('--delay-scale <factor>', 'multiply retry delays and waits (e.g. 0.1 to test faster)', toScale);

  runOptions(
    program
      .command('run')
      .description('run a workflow on this machine (same state machine as in AWS)')
      .argument('<file>', 'workflow YAML file'),
  ).action(async (file: string, options: Omit<RunCommandOptions, 'home'>) => {
    const { runCommand } = await runCommands();
    exit.code = await runCommand(file, { ...options, home: home() }, io);
  });

  runOptions(
    program
      .command('rerun')
      .description('run again as a new run, reusing the jobs that succeeded')
      .argument('<run>', 'run id')
      .option('--from <job>', 'run this job and everything after it again'),
  ).action(async (runId: string, options: Omit<RunCommandOptions, 'home'> & { from?: string }) => {
    const { from, ...rest } = options;
    const { runCommand } = await runCommands();
    exit.code = await runCommand('', { ...rest, home: home() }, io, {
      of: runId,
      ...(from === undefined ? {} : { from }),
    });
  });

  program
    .command('runs')
    .description('list local runs, newest first')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { runsCommand } = await runCommands();
      exit.code = await runsCommand({ ...options, home: home() }, io);
    });

  program
    .command('status')
    .description("show a run's status and its jobs")
    .argument('<run>', 'run id')
    .option('--json', 'print JSON (the same shape as run --json)')
    .action(async (runId: string, options: { json?: boolean }) => {
      const { statusCommand } = await runCommands();
      exit.code = await statusCommand(runId, { ...options, home: home() }, io);
    });

  program
    .command('logs')
    .description("print a run's job logs")
    .argument('<run>', 'run id')
    .argument('[job]', 'only this job')
    .action(async (runId: string, job: string | undefined) => {
      const { logsCommand } = await runCommands();
      exit.code = await logsCommand(runId, job, { home: home() }, io);
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`${decision} a job waiting for approval in a running local run`)
      .argument('<run>', 'run id')
      .argument('<job>', 'approval job')
      .option('-m, --comment <text>', 'a comment recorded with the decision')
      .option('--as <approver>', 'who decides (default: $WATERFLOW_APPROVER, else $USER)')
      .action(async (runId: string, job: string, options: { comment?: string; as?: string }) => {
        const { decideCommand } = await runCommands();
        exit.code = await decideCommand(runId, job, decision, { ...options, home: home() }, io);
      });
  }
  return program;
}

function toPort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port "${text}": not a port number`);
  return port;
}

function toScale(text: string): number {
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale < 0)
    throw new CliError(`--delay-scale "${text}": not a non-negative number`);
  return scale;
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
    // The local store and runtime name their failures (WF9xxx): one line, no stack trace.
    if (error instanceof Error && /^WF9\d{3}$/.test(String((error as { code?: unknown }).code))) {
      io.stderr(`waterflow: ${error.message}\n`);
      return ExitCode.failed;
    }
    throw error;
  }
}
