import type { LowerContext } from './context.js';

/**
 * Completes every template that carries the run's fixed fields (`params`, `run`, and `net` and
 * `a` when the workflow has them) from one state to the next: a Parallel's `ResultSelector`, a
 * Map's `ItemSelector`, a part's input and output. Whether the workflow has `net` (a container
 * job) and `a` (a retry loop) is only known once every job is lowered, while templates are
 * written as blocks are lowered, bottom-up; so they are completed here, after lowering. Without
 * this, a Parallel lowered before the first retry loop drops `a`, and the Parallel around it
 * then reads `$[0].a` from nothing. The templates were kept as they were made (`carried`): a
 * walk of the whole definition to find them cost more than the rest of this pass.
 */
export function completeCarried(ctx: LowerContext): void {
  const fields = [...(ctx.out.usesNetwork ? ['net'] : []), ...(ctx.out.counters.size > 0 ? ['a'] : [])];
  if (fields.length === 0) return;
  for (const { base, template } of ctx.out.carried) {
    for (const field of fields) {
      if (!(`${field}.$` in template) && !(field in template)) template[`${field}.$`] = `${base}.${field}`;
    }
  }
}
