import * as z from 'zod';
import { parseCron } from '../units/cron.js';
import { parseDuration } from '../units/duration.js';
import { isValidTimeZone, suggestTimeZone } from '../units/timezone.js';
import { report } from './issue.js';

/** Job, stage, param, output and artifact names: usable in `needs.<name>` and state names. */
// `__proto__` is refused: as a record key it would vanish silently from the parsed object.
export const NAME_PATTERN = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const NAME_RULE =
  'start with a letter or "_" and hold only letters, digits, "_" and "-" (at most 64 characters)';

/** A workflow name: it names the state machine. */
export const WORKFLOW_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export const name = z.string().regex(NAME_PATTERN, NAME_RULE);
export const workflowName = z
  .string()
  .regex(
    WORKFLOW_NAME_PATTERN,
    'start with a lowercase letter and hold only lowercase letters, digits and "-" (at most 63 characters)',
  );

/** Environment variable names as POSIX shells accept them. */
export const envName = z
  .string()
  .regex(
    /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_]*$/,
    'hold only letters, digits and "_", and not start with a digit',
  );

/** A container image reference: `[registry/]repo[:tag][@digest]`. */
export const image = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'be an image reference such as "alpine:3.20" or "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2"',
  );

/** A duration (`90s`, `10m`, `2h`, `1d`, `1h30m`, or a number of seconds), output in seconds. */
export const duration = z.union([z.string(), z.number()]).transform((input, ctx) => {
  const result = parseDuration(input);
  if (result.ok) return result.value;
  report(ctx, {
    code: 'WF1201',
    message: result.message,
    ...(result.hint === undefined ? {} : { hint: result.hint }),
  });
  return z.NEVER;
});

/** A 5-field Unix cron expression. */
export const cron = z.string().superRefine((input, ctx) => {
  const result = parseCron(input);
  if (result.ok) return;
  report(ctx, {
    code: 'WF1203',
    message: result.message,
    offset: result.offset,
    ...(result.hint === undefined ? {} : { hint: result.hint }),
  });
});

/** An IANA time zone name. */
export const timezone = z.string().superRefine((input, ctx) => {
  if (isValidTimeZone(input)) return;
  const suggestion = suggestTimeZone(input);
  report(ctx, {
    code: 'WF1204',
    message: `unknown time zone "${input}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`,
    hint: 'use an IANA name such as "Europe/Paris", "America/New_York" or "UTC"',
  });
});

/** A value a param or matrix item may hold. */
export const json = z.json();
export const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A condition: an expression string (bare or `${{ }}`), a boolean, or zen-flow's `always`/`never`. */
export const condition = z.union([z.string(), z.boolean()]);

/** Shell commands: a list run one after another, or one script. */
export const commands = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
