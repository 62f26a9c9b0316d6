import type * as z from 'zod';
import { DiagnosticSink } from '../diagnostics/sink.js';
import { inferKind, jobKinds } from '../kinds/registry.js';
import { suggestField } from '../language/aliases.js';
import {
  API_VERSION,
  KIND,
  type RawWorkflow,
  workflowValidationSchema,
} from '../language/workflow-schema.js';
import type { ParsedFile } from '../parse/parse.js';
import { describeField, showValue } from './describe.js';
import { fieldKey, reportIssue } from './issues.js';

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Other dialects the user may have fed us, and how their fields map onto ours. There is no
 * `waterflow import` yet (DESIGN lists one): a hint must not name a command that does not exist.
 */
const DIALECT_HINTS: ReadonlyArray<[RegExp, string]> = [
  [
    /kube-zen\.io|zen\.io/,
    `this looks like a zen-flow JobFlow; Waterflow reads ${API_VERSION} only (docs/language.md): each step becomes a job, its dependencies the job's needs, its container's image and command the job's container and commands`,
  ],
  [
    /argoproj\.io/,
    `this looks like an Argo Workflow; Waterflow reads ${API_VERSION} only (docs/language.md): each DAG task becomes a job, its dependencies the job's needs, its container template's image and command the job's container and commands`,
  ],
];

function checkHeader(data: Mapping, sink: DiagnosticSink): boolean {
  const { apiVersion, kind } = data;
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    const hint = DIALECT_HINTS.find(([re]) => typeof apiVersion === 'string' && re.test(apiVersion))?.[1];
    sink.error(
      'WF1004',
      ['apiVersion'],
      `apiVersion must be "${API_VERSION}", found ${showValue(apiVersion)}`,
      {
        hint: hint ?? `start the file with "apiVersion: ${API_VERSION}" and "kind: ${KIND}"`,
      },
    );
    return false;
  }
  if (kind !== undefined && kind !== KIND) {
    sink.error('WF1004', ['kind'], `kind must be "${KIND}", found ${showValue(kind)}`);
    return false;
  }
  return true;
}

/**
 * Whether only a full clone copies the data faithfully: some object is reachable twice (a YAML
 * alias), so that an edited job shows through every alias, or is not a plain object or array
 * (a Date, a Map of `!!omap`), which a shallow copy key by key would not keep.
 */
function needsFullClone(value: unknown, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return true;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) if (needsFullClone(item, seen)) return true;
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return true;
  // for-in allocates no key list; an inherited key only adds values to walk, and a needless clone is safe.
  for (const key in value) if (needsFullClone((value as Mapping)[key], seen)) return true;
  return false;
}

/**
 * A shallow copy built key by key, as structuredClone builds one. A spread copy to which `type`
 * is then added makes objects that zod's compiled object parser reads several times slower.
 */
function copyMapping(value: Mapping): Mapping {
  const copy: Mapping = {};
  for (const key of Object.keys(value)) {
    // Assigning `__proto__` would set the prototype; YAML can have such a key.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: value[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = value[key];
  }
  return copy;
}

/**
 * A copy of the data that `inferJobTypes` may edit. Only the objects on the way to the jobs are
 * copied, shallowly: cloning the whole document was a third of `validate` at 10,000 jobs. Data
 * known to be a `tree` (see ParsedFile) is not walked to find out.
 */
function editableCopy(data: Mapping, tree: boolean): Mapping {
  if (!tree && needsFullClone(data, new Set())) return structuredClone(data);
  const copy = copyMapping(data);
  if (!isMapping(data.spec)) return copy;
  const spec = copyMapping(data.spec);
  copy.spec = spec;
  if (!Array.isArray(spec.stages)) return copy;
  spec.stages = spec.stages.map((stage: unknown) => {
    if (!isMapping(stage)) return stage;
    const stageCopy = copyMapping(stage);
    if (Array.isArray(stage.jobs)) {
      stageCopy.jobs = stage.jobs.map((job: unknown) => (isMapping(job) ? copyMapping(job) : job));
    }
    return stageCopy;
  });
  return copy;
}

/**
 * Gives every job an explicit `type` (so that the schema can discriminate on it) and reports
 * fields that cannot go together. Works on a copy: the parsed data stays as written.
 */
function inferJobTypes(data: Mapping, tree: boolean, sink: DiagnosticSink): Mapping {
  const copy = editableCopy(data, tree);
  const stages = isMapping(copy.spec) ? copy.spec.stages : undefined;
  if (!Array.isArray(stages)) return copy;
  stages.forEach((stage: unknown, s) => {
    const jobs = isMapping(stage) ? stage.jobs : undefined;
    if (!Array.isArray(jobs)) return;
    jobs.forEach((job: unknown, j) => {
      if (!isMapping(job)) return;
      const path = ['spec', 'stages', s, 'jobs', j];
      const label = typeof job.name === 'string' ? `job "${job.name}"` : describeField(copy, path);
      if ('if' in job && 'when' in job) {
        sink.error(
          'WF1108',
          [...path, 'when'],
          `${label} has both "if" and "when"; "when" is another name for "if"`,
          {
            target: 'key',
            hint: 'keep one of them',
          },
        );
      }
      if ('container' in job && 'workflow' in job) {
        sink.error(
          'WF1108',
          [...path, 'workflow'],
          `${label} has both "container" and "workflow"; a job runs a container or a nested workflow, not both`,
          {
            target: 'key',
          },
        );
        delete job.container;
      }
      if (job.type === undefined) job.type = inferKind(job);
    });
  });
  return copy;
}

export interface ValidateResult {
  readonly workflow?: RawWorkflow;
  readonly diagnostics: DiagnosticSink['list'];
}

/** Checks the shape of the parsed data against the language schema; all problems at once. */
export function validate(parsed: ParsedFile): ValidateResult {
  const sink = new DiagnosticSink(parsed.source);
  const { data } = parsed;
  if (!isMapping(data)) {
    sink.error(
      'WF1002',
      [],
      `a workflow file must be a mapping with apiVersion, kind, metadata and spec, found ${showValue(data)}`,
    );
    return { diagnostics: sink.list };
  }
  if (!checkHeader(data, sink)) return { diagnostics: sink.list };
  const typed = inferJobTypes(data, parsed.tree === true, sink);
  const knownKeys = new WeakMap<object, ReadonlyArray<string>>();
  const result = workflowValidationSchema.safeParse(typed, {
    error: (issue) => {
      // Remember the keys the strict object knows, for "did you mean" on unknown fields.
      if (issue.code === 'unrecognized_keys' && issue.inst !== undefined) {
        const shape = (issue.inst as z.ZodObject)._zod.def.shape;
        knownKeys.set(issue.keys, Object.keys(shape));
      }
      return undefined;
    },
  });
  if (!result.success) {
    const misspelt = new Set<string>();
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      const known = knownKeys.get(issue.keys) ?? [];
      for (const key of issue.keys) {
        const meant = suggestField(key, known);
        if (meant !== undefined) misspelt.add(fieldKey(issue.path as Array<string | number>, meant));
      }
    }
    const ctx = { data: typed, sink, knownKeys, kinds: jobKinds.map((k) => k.kind), misspelt };
    for (const issue of result.error.issues) reportIssue(issue, ctx);
  }
  if (sink.hasErrors || !result.success) return { diagnostics: sink.list };
  return { workflow: result.data, diagnostics: sink.list };
}
