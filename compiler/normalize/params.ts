import type * as z from 'zod';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { DocPath, JsonValue, Param, ParamType, Schedule } from '../ir.js';
import type { param } from '../language/blocks.js';
import type { RawSpec } from '../language/workflow-schema.js';

/** Whether a JSON value has a param type; integers are numbers without a fraction. */
export function valueMatchesType(value: JsonValue, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

/** Checks a value against a param's type and enum; returns what is wrong, or undefined. */
export function paramValueProblem(value: JsonValue, p: Pick<Param, 'type' | 'enum'>): string | undefined {
  if (!valueMatchesType(value, p.type)) return `is ${JSON.stringify(value)}, which is not of type ${p.type}`;
  if (p.enum !== undefined && !p.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    return `is ${JSON.stringify(value)}, which is not one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
}

/** `spec.params` as a list, with defaults checked against their type and enum. */
export function normalizeParams(raw: RawSpec['params'], sink: DiagnosticSink): Param[] {
  return Object.entries(raw ?? {}).map(([name, spec]: [string, z.output<typeof param>]) => {
    const path: DocPath = ['spec', 'params', name];
    const type = spec.type ?? 'string';
    (spec.enum ?? []).forEach((value, i) => {
      if (!valueMatchesType(value, type)) {
        sink.error(
          'WF1205',
          [...path, 'enum', i],
          `param "${name}" is of type ${type}, but its enum holds ${JSON.stringify(value)}`,
        );
      }
    });
    const base = { name, type, path, ...(spec.enum === undefined ? {} : { enum: spec.enum }) };
    if (spec.default !== undefined) {
      const problem = paramValueProblem(spec.default, base);
      if (problem !== undefined)
        sink.error('WF1205', [...path, 'default'], `the default of param "${name}" ${problem}`);
    }
    return {
      ...base,
      required: spec.required ?? false,
      ...(spec.default === undefined ? {} : { default: spec.default }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
    };
  });
}

/** `spec.schedule`, each schedule's params checked against the declared ones. */
export function normalizeSchedules(
  raw: RawSpec['schedule'],
  params: ReadonlyArray<Param>,
  sink: DiagnosticSink,
): Schedule[] {
  const byName = new Map(params.map((p) => [p.name, p]));
  return (raw ?? []).map((schedule, i) => {
    for (const [name, value] of Object.entries(schedule.params ?? {})) {
      const path = ['spec', 'schedule', i, 'params', name];
      const declared = byName.get(name);
      if (declared === undefined) {
        sink.error(
          'WF1205',
          path,
          `schedule sets param "${name}", which is not declared in spec.params${didYouMean(name, byName.keys())}`,
          {
            target: 'key',
          },
        );
        continue;
      }
      const problem = paramValueProblem(value, declared);
      if (problem !== undefined) sink.error('WF1205', path, `schedule param "${name}" ${problem}`);
    }
    return { cron: schedule.cron, timezone: schedule.timezone ?? 'UTC', params: schedule.params ?? {} };
  });
}
