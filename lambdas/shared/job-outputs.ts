import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The outputs a job's uploader put at `runs/<runId>/<job>/outputs.json` (docs/compilation.md,
 * "Outputs and artifacts in AWS"), as strings by name; none when the job wrote none (no object).
 */
export async function uploadedOutputs(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  runId: string,
  job: string,
): Promise<{ [name: string]: string }> {
  let text: string;
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `runs/${runId}/${job}/outputs.json` }),
    );
    text = (await object.Body?.transformToString('utf8')) ?? '{}';
  } catch (error) {
    if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  const out: { [name: string]: string } = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
  for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') out[name] = value;
  return out;
}
