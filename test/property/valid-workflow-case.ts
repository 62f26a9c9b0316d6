import fc from 'fast-check';

/**
 * The random choices behind a structurally valid workflow (`valid-workflow.ts` builds it).
 * References (needs, outputs, params, secrets) are drawn as numbers and resolved modulo what
 * exists when the workflow is built, so that cases shrink well.
 */

export type Plain = Record<string, unknown>;

/**
 * Names the language allows but code may trip on: keywords, Object.prototype members.
 * `__proto__` is left out while zod's z.record drops such a key silently (reported).
 */
const TRICKY_NAMES = [
  'true',
  'false',
  'null',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'on',
  'no',
];

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** A string of `first` then up to `max` of `rest`: faster than fc.stringMatching. */
function word(first: string, rest: string, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...first), fc.string({ unit: fc.constantFrom(...rest), maxLength: max }))
    .map(([head, tail]) => head + tail);
}

const name: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: word(`${LETTERS}_`, `${LETTERS}${DIGITS}_-`, 11), weight: 6 },
  { arbitrary: fc.constantFrom(...TRICKY_NAMES), weight: 1 },
);
const envName = word(`${LETTERS}_`, `${LETTERS}${DIGITS}_`, 9);
const workflowName = word('abcdefghijklmnopqrstuvwxyz', `abcdefghijklmnopqrstuvwxyz${DIGITS}-`, 20);
const EMAILS = ['alice@example.com', 'bob@example.com', 'dba-oncall@example.com', 'x@y.z'];

/**
 * Strings that some YAML reader takes for a number, a boolean or a date. Dumped by the yaml
 * package, they are quoted only where YAML 1.2 would read them otherwise, so `0b101` stays plain.
 */
const NUMBER_LIKE = [
  '0b101',
  '+0x1F',
  '-0o17',
  '+.5',
  '1_000',
  '0o17',
  '0x1F',
  '1e3',
  '.inf',
  'yes',
  'on',
  '2001-12-14',
];

/** Free text that holds no expression. */
const text = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !s.includes('${{')), weight: 9 },
  { arbitrary: fc.constantFrom(...NUMBER_LIKE), weight: 1 },
);

export const IMAGES = [
  'alpine:3.20',
  'golang:1.22',
  'python:3.12-slim',
  'ghcr.io/acme/tool:1.0',
  'localhost:5000/app',
];
const DURATIONS: ReadonlyArray<string | number> = ['90s', '10m', '2h', '1d', '1h30m', '1.5h', 45, 3600];
const RESOURCES: ReadonlyArray<Plain> = [
  { cpu: '0.25', memory: '512Mi' },
  { cpu: '500m', memory: '1Gi' },
  { cpu: 1, memory: '2Gi' },
  { cpu: '2', memory: '4Gi', disk: '30Gi' },
  { memory: '1Gi' },
  { cpu: '4' },
];
const CRONS = ['0 9 * * 1-5', '*/15 * * * *', '30 2 * * 0', '0 0 1 * *', '5 4 * * *'];
const TIMEZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'];
export const SECRET_SOURCES = ['aws-secretsmanager://prod/db', 'ssm:///prod/api/key', 'env://TOKEN'];

const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const valueOfType: Record<ParamType, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 10 }),
  integer: fc.integer(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }),
  boolean: fc.boolean(),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(name, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3, noNullPrototype: true }),
};

/** A literal of the param's type to compare it with in a condition, or none for lists and maps. */
export const LITERAL_OF: Record<ParamType, string | undefined> = {
  string: "'production'",
  integer: '3',
  number: '1.5',
  boolean: 'true',
  array: undefined,
  object: undefined,
};

const param = fc.constantFrom(...PARAM_TYPES).chain((type) =>
  fc.record(
    {
      type: fc.constant(type),
      default: valueOfType[type],
      inEnum: fc.boolean(),
      required: fc.boolean(),
      description: text,
      typeWritten: fc.boolean(),
    },
    { requiredKeys: ['type', 'inEnum', 'typeWritten'] },
  ),
);

/** One piece of a command or message: text, or an expression that resolves to something declared. */
const part = fc.oneof(
  { arbitrary: text.map((t) => ({ kind: 'text' as const, text: t })), weight: 3 },
  fc.nat().map((n) => ({ kind: 'param' as const, n })),
  fc.tuple(fc.nat(), fc.nat()).map(([job, output]) => ({ kind: 'output' as const, job, output })),
  fc.nat().map((job) => ({ kind: 'result' as const, job })),
  fc.nat().map((n) => ({ kind: 'matrix' as const, n })),
  fc.constantFrom('workflow.name', 'run.id', "format('{0}-{1}', workflow.name, run.id)").map((expr) => ({
    kind: 'fixed' as const,
    expr,
  })),
);
export type Part = typeof part extends fc.Arbitrary<infer P> ? P : never;
const template = fc.array(part, { minLength: 1, maxLength: 4 });

/** A value that is either written as is, or a template to render. */
export type Value =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'template'; readonly parts: Part[] };
const asValue = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Value> =>
  arb.map((value) => ({ kind: 'value', value }));
const asTemplate: fc.Arbitrary<Value> = template.map((parts) => ({ kind: 'template', parts }));
/** JSON without strings that would read as expressions. */
const inertJson = fc.jsonValue({ maxDepth: 1 }).filter((v) => typeof v !== 'string' || !v.includes('${{'));

const retry = fc.record(
  {
    maxAttempts: fc.integer({ min: 1, max: 100 }),
    backoff: fc.constantFrom('exponential', 'linear', 'fixed'),
    delay: fc.constantFrom('1s', '5s', '10s'),
    factor: fc.integer({ min: 1, max: 10 }),
    maxDelay: fc.constantFrom('1m', '5m'),
    jitter: fc.constantFrom('none', 'full'),
  },
  { requiredKeys: ['maxAttempts'] },
);

/** An `if`: as written, or a comparison of a param or of an upstream job's result. */
export type Condition =
  | { readonly kind: 'written'; readonly value: string | boolean }
  | { readonly kind: 'param-compare'; readonly n: number }
  | { readonly kind: 'result-compare'; readonly job: number };

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .constantFrom('always()', 'success()', '!cancelled()', '${{ failure() }}', 'always', true, false)
    .map((value): Condition => ({ kind: 'written', value })),
  fc.nat().map((n): Condition => ({ kind: 'param-compare', n })),
  fc.nat().map((job): Condition => ({ kind: 'result-compare', job })),
);

const job = fc.record(
  {
    kind: fc.constantFrom('container', 'container', 'container', 'approval', 'workflow'),
    needs: fc.array(fc.nat(), { maxLength: 4 }),
    image: fc.constantFrom(...IMAGES),
    commands: fc.array(template, { minLength: 1, maxLength: 3 }),
    oneScript: fc.boolean(),
    env: fc.dictionary(envName, fc.oneof(asValue(fc.integer()), asValue(fc.boolean()), asTemplate), {
      maxKeys: 3,
    }),
    secretEnv: fc.tuple(envName, fc.nat()),
    retry,
    timeout: fc.constantFrom(...DURATIONS),
    resources: fc.constantFrom(...RESOURCES),
    outputs: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
    artifacts: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
    artifactsFrom: fc.nat(),
    condition,
    continueOnFailure: fc.boolean(),
    matrix: fc.record({
      values: fc.dictionary(
        name,
        fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        { minKeys: 1, maxKeys: 2, noNullPrototype: true },
      ),
      maxParallel: fc.integer({ min: 1, max: 10 }),
      failFast: fc.boolean(),
    }),
    dynamicMatrix: fc.nat(),
    exitCodes: fc.array(
      fc.record({
        action: fc.constantFrom('Ignore', 'Count', 'FailJob'),
        operator: fc.constantFrom('In', 'NotIn'),
        values: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    compensate: fc.array(template, { minLength: 1, maxLength: 2 }),
    approvers: fc.uniqueArray(fc.constantFrom(...EMAILS), { minLength: 1, maxLength: 3 }),
    minApprovals: fc.nat(),
    onTimeout: fc.constantFrom('reject', 'approve'),
    message: template,
    workflow: workflowName,
    with: fc.dictionary(name, fc.oneof(asValue(inertJson), asTemplate), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
    description: text,
  },
  { requiredKeys: ['kind', 'needs', 'commands', 'oneScript', 'approvers', 'workflow'] },
);
export type JobCase = typeof job extends fc.Arbitrary<infer J> ? J : never;

const stage = fc.record(
  {
    size: fc.integer({ min: 1, max: 4 }),
    dependsOn: fc.array(fc.nat(), { maxLength: 2 }),
    onFailure: fc.constantFrom('fail', 'continue'),
    description: text,
  },
  { requiredKeys: ['size'] },
);

const shape = fc.record({
  stages: fc.array(stage, { minLength: 1, maxLength: 3 }),
  params: fc.dictionary(name, param, { maxKeys: 3, noNullPrototype: true }),
  secrets: fc.uniqueArray(name, { maxLength: 2 }),
});

const spec = fc.record(
  {
    description: text,
    labels: fc.dictionary(name, text, { maxKeys: 2, noNullPrototype: true }),
    schedule: fc.array(
      fc.record(
        { cron: fc.constantFrom(...CRONS), timezone: fc.constantFrom(...TIMEZONES) },
        { requiredKeys: ['cron'] },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    scheduleDefaults: fc.boolean(),
    concurrency: fc.constantFrom('Allow', 'Forbid', 'Replace'),
    timeout: fc.constantFrom(...DURATIONS),
    ttlAfterFinished: fc.constantFrom('7d', '30d', 86_400),
    failFast: fc.boolean(),
    env: fc.dictionary(
      envName,
      fc.oneof(
        asValue(text),
        asValue(fc.integer()),
        fc.nat().map((n): Value => ({ kind: 'template', parts: [{ kind: 'param', n }] })),
      ),
      { maxKeys: 3 },
    ),
    defaultContainer: fc.constantFrom(...IMAGES),
    defaults: fc.record(
      { retry, timeout: fc.constantFrom(...DURATIONS), resources: fc.constantFrom(...RESOURCES) },
      { requiredKeys: [] },
    ),
    onExit: fc.record(
      { name, commands: fc.array(template, { minLength: 1, maxLength: 2 }), runStatus: fc.boolean() },
      { requiredKeys: ['commands', 'runStatus'] },
    ),
  },
  { requiredKeys: [] },
);

export interface ValidWorkflowCase {
  readonly workflowName: string;
  readonly shape: typeof shape extends fc.Arbitrary<infer S> ? S : never;
  readonly spec: typeof spec extends fc.Arbitrary<infer S> ? S : never;
  readonly stageNames: ReadonlyArray<string>;
  readonly jobNames: ReadonlyArray<string>;
  readonly jobs: ReadonlyArray<JobCase>;
}

/** The parts of a valid workflow before references are resolved. */
export const validWorkflowCase: fc.Arbitrary<ValidWorkflowCase> = fc
  .tuple(workflowName, shape, spec)
  .chain(([wfName, s, sp]) => {
    const jobCount = s.stages.reduce((sum, st) => sum + st.size, 0);
    return fc.record({
      workflowName: fc.constant(wfName),
      shape: fc.constant(s),
      spec: fc.constant(sp),
      stageNames: fc.uniqueArray(name, { minLength: s.stages.length, maxLength: s.stages.length }),
      jobNames: fc.uniqueArray(name, { minLength: jobCount, maxLength: jobCount }),
      jobs: fc.array(job, { minLength: jobCount, maxLength: jobCount }),
    });
  });
