import type * as z from 'zod';
import type { DiagnosticCode } from '../diagnostics/diagnostic.js';

/** What a schema check attaches to a custom zod issue so that it becomes a coded diagnostic. */
export interface IssueParams {
  readonly code: DiagnosticCode;
  readonly hint?: string;
  /** Character offset inside the scalar, for errors inside a value (a cron field). */
  readonly offset?: number;
}

type Ctx = z.core.$RefinementCtx<unknown>;

/** Adds a custom issue carrying a Waterflow diagnostic code. */
export function report(ctx: Ctx, params: IssueParams & { readonly message: string }): void {
  const { message, ...rest } = params;
  ctx.addIssue({ code: 'custom', message, params: rest, input: ctx.value });
}
