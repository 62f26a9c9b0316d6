/**
 * 8 hex digits of FNV-1a of a job name: the tag after the run id in a task's StartedBy
 * (`<runId>/<hash>`, at most 128 characters). The local runner tags its tasks the same way.
 */
export function jobHash(job: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < job.length; i++) h = Math.imul(h ^ job.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
