import type { DiagnosticSink } from '../diagnostics/sink.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Template } from '../expr/ast.js';
import { parseTemplate } from '../expr/template.js';
import type { DocPath, EnvVar, Resources } from '../ir.js';
import { type ResourceRequest, resolveResources } from '../units/fargate.js';
import type { NormalizeContext, RawDefaults, RawEnv } from './context.js';

/** Resources used when a request cannot be resolved, so that later passes still have a value. */
const FALLBACK_RESOURCES: Resources = {
  cpu: 0.25,
  memoryMiB: 512,
  diskGiB: 20,
  fargate: { cpu: 256, memory: 512 },
};

/** The value normalisers kind modules share, bound to one file's sink and defaults. */
export function createContext(
  sink: DiagnosticSink,
  defaults: RawDefaults,
  workflowName: string,
  secrets: ReadonlySet<string>,
): NormalizeContext {
  const template = (source: string, path: DocPath): Template => {
    const parsed = parseTemplate(source);
    for (const error of parsed.errors) {
      sink.error('WF3001', path, error.message, { offset: error.start });
    }
    // Written out: a spread here was the slowest line of `normalize`.
    return { source: parsed.template.source, parts: parsed.template.parts, path };
  };
  // The defaults are the same for every job: stripped once, when a job first asks.
  let defaultResources: ResourceRequest | undefined;
  const ctx: NormalizeContext = {
    sink,
    defaults,
    workflowName,
    template,
    templates: (value, path) =>
      typeof value === 'string'
        ? [template(value, path)]
        : value.map((line, i) => template(line, [...path, i])),
    env: (raw, path) => normalizeEnv(raw, path, template, sink, secrets),
    resources: (raw, path) => {
      defaultResources ??= definedOnly(defaults.resources ?? {});
      const result = resolveResources(raw === undefined ? {} : definedOnly(raw), defaultResources);
      if (result.ok) return result.value;
      const fieldPath = raw?.[result.field] === undefined ? path : [...path, result.field];
      sink.error('WF1202', fieldPath, result.message, result.hint === undefined ? {} : { hint: result.hint });
      return FALLBACK_RESOURCES;
    },
    action: (raw, path, defaultName) => {
      const image = raw.container ?? defaults.container;
      if (image === undefined) {
        sink.error('WF1103', path, `${defaultName} has no container image`, {
          hint: 'add "container: <image>", or "container" to spec.defaults',
        });
      }
      const timeout = raw.timeout ?? defaults.timeout;
      return {
        name: raw.name ?? defaultName,
        image: image ?? '',
        commands: ctx.templates(raw.commands, [...path, 'commands']),
        env: ctx.env(raw.env, [...path, 'env']),
        resources: ctx.resources(raw.resources, [...path, 'resources']),
        ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
        path,
      };
    },
  };
  return ctx;
}

type RawEnvValue = string | number | boolean | { secretKeyRef: { name: string; key?: string | undefined } };

function normalizeEnv(
  raw: RawEnv | undefined,
  path: DocPath,
  template: (source: string, path: DocPath) => Template,
  sink: DiagnosticSink,
  secrets: ReadonlySet<string>,
): EnvVar[] {
  if (raw === undefined) return [];
  type Entry = [name: string, value: RawEnvValue, at: DocPath];
  const entries: Entry[] = Array.isArray(raw)
    ? raw.map(
        (item, i): Entry =>
          'value' in item
            ? [item.name, item.value, [...path, i, 'value']]
            : [item.name, item.valueFrom, [...path, i, 'valueFrom']],
      )
    : Object.entries(raw).map(([name, value]): Entry => [name, value, [...path, name]]);
  const seen = new Set<string>();
  const out: EnvVar[] = [];
  for (const [name, value, at] of entries) {
    if (seen.has(name)) sink.error('WF2011', at, `environment variable "${name}" is set twice`);
    seen.add(name);
    if (typeof value === 'object') {
      const ref = value.secretKeyRef;
      if (!secrets.has(ref.name)) {
        sink.error(
          'WF2009',
          [...at, 'secretKeyRef', 'name'],
          `environment variable "${name}" reads secret "${ref.name}", which is not declared in spec.secrets${didYouMean(ref.name, secrets)}`,
          {
            hint: 'declare it: spec.secrets: [{ name, source: "aws-secretsmanager://..." }]',
          },
        );
      }
      out.push({
        name,
        secretRef: ref.key === undefined ? { secret: ref.name } : { secret: ref.name, key: ref.key },
      });
    } else {
      out.push({ name, value: template(String(value), at) });
    }
  }
  return out;
}

/** Drops keys whose value is undefined (zod leaves them; exactOptionalPropertyTypes does not). */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
