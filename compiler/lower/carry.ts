import type { JsonValue, StateGraph } from '../asl/types.js';
import type { LowerContext } from './context.js';

/**
 * Completes every template that carries the run's fixed fields (`params`, `run`, and `net` and
 * `a` when the workflow has them) from one state to the next: a Parallel's `ResultSelector`, a
 * Map's `ItemSelector`, a part's input and output. Whether the workflow has `net` (a container
 * job) and `a` (a retry loop) is only known once every job is lowered, while templates are
 * written as blocks are lowered, bottom-up; so they are completed here, after lowering. Without
 * this, a Parallel lowered before the first retry loop drops `a`, and the Parallel around it
 * then reads `$[0].a` from nothing.
 */
export function completeCarried(graph: StateGraph, ctx: LowerContext): void {
  const fields = [...(ctx.out.usesNetwork ? ['net'] : []), ...(ctx.out.counters.size > 0 ? ['a'] : [])];
  if (fields.length > 0) visit(graph as unknown as JsonValue, fields);
}

function visit(value: JsonValue, fields: ReadonlyArray<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, fields);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const params = value['params.$'];
  const run = value['run.$'];
  if (typeof params === 'string' && typeof run === 'string' && params.endsWith('.params')) {
    const base = params.slice(0, -'.params'.length);
    for (const field of fields) {
      if (!(`${field}.$` in value) && !(field in value)) value[`${field}.$`] = `${base}.${field}`;
    }
  }
  for (const child of Object.values(value)) visit(child, fields);
}
