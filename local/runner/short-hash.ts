/**
 * 8 hex digits of FNV-1a of a job name: the tag in a task's StartedBy (`<runId>/<hash>`).
 * Duplicated from compiler/kinds/container-asl.ts `shortHash` (not exported there); both must
 * agree, which test/local/host-runner.test.ts checks against a known value.
 */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
