import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INIT_SCRIPT, UPLOADER_SCRIPT } from '../../../compiler/kinds/sidecar-scripts.js';
import { parseOutputs } from '../../../local/runner/outputs.js';

/**
 * A fake `aws` for `aws s3 cp [--recursive] [options] SRC DST`: `s3://<bucket>/<key>` is the
 * file `$FAKE_S3/<bucket>/<key>`. A prefix with no objects copies nothing, as S3 does.
 */
const FAKE_AWS = `#!/bin/sh
set -eu
[ "$1 $2" = "s3 cp" ] || { echo "fake aws: unexpected $*" >&2; exit 2; }
shift 2
recursive=
while :; do
  case $1 in
    --recursive) recursive=1; shift ;;
    --only-show-errors) shift ;;
    --content-type) shift 2 ;;
    *) break ;;
  esac
done
local_path() { case $1 in s3://*) printf '%s/%s' "$FAKE_S3" "\${1#s3://}" ;; *) printf '%s' "$1" ;; esac; }
src=$(local_path "$1")
dst=$(local_path "$2")
echo "$*" >> "$FAKE_S3.log"
if [ -n "$recursive" ]; then
  [ -d "$src" ] || exit 0
  mkdir -p "$dst"
  cp -R "$src/." "$dst/"
else
  mkdir -p "$(dirname "$dst")"
  cp "$src" "$dst"
fi
`;

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'waterflow-sidecars-'));
  mkdirSync(join(home, 'bin'));
  writeFileSync(join(home, 'bin/aws'), FAKE_AWS);
  chmodSync(join(home, 'bin/aws'), 0o755);
});

afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Runs a sidecar script with `sh -c`, as its container does, against the fake S3. */
function runScript(script: string, dir: string, env: Record<string, string>) {
  const result = spawnSync('sh', ['-c', script], {
    encoding: 'utf8',
    env: {
      PATH: `${join(home, 'bin')}:${process.env.PATH ?? ''}`,
      TMPDIR: home,
      FAKE_S3: join(home, 's3'),
      WATERFLOW_BUCKET: 'artifacts',
      WATERFLOW_DIR: dir,
      WATERFLOW_OUTPUT: join(dir, '.waterflow-output'),
      WATERFLOW_RUN_ID: 'run-1',
      ...env,
    },
  });
  return { status: result.status, stderr: result.stderr };
}

function s3(key: string): string {
  return join(home, 's3/artifacts', key);
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const OUTPUT_TEXT = [
  'version=1.2.3',
  'undeclared=dropped',
  'quote=say "hi" \\ tab\there',
  'crlf=windows\r',
  'notes<<EOF',
  'line one',
  '  line "two"',
  'EOF',
  'version=1.2.4',
  'equals=a=b=c',
  'broken<<NEVER',
  'after=the unterminated heredoc',
  '',
].join('\n');

describe('the uploader script', () => {
  it('uploads the declared outputs as one JSON object, as the local runtime reads them', () => {
    // Prepare
    const dir = join(home, 'work');
    write(join(dir, '.waterflow-output'), OUTPUT_TEXT);
    const declared = ['version', 'notes', 'quote', 'crlf', 'equals', 'after', 'missing'];

    // Act
    const { status, stderr } = runScript(UPLOADER_SCRIPT, dir, {
      WATERFLOW_JOB: 'build',
      WATERFLOW_OUTPUTS: declared.join(','),
    });

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const uploaded: unknown = JSON.parse(readFileSync(s3('runs/run-1/build/outputs.json'), 'utf8'));
    const local = parseOutputs(OUTPUT_TEXT);
    expect(uploaded).toStrictEqual(Object.fromEntries(declared.map((key) => [key, local[key] ?? ''])));
    expect(uploaded).toStrictEqual({
      version: '1.2.4',
      notes: 'line one\n  line "two"',
      quote: 'say "hi" \\ tab\there',
      crlf: 'windows',
      equals: 'a=b=c',
      after: 'the unterminated heredoc',
      missing: '',
    });
  });

  it('uploads every declared output as "" when the job wrote no output file', () => {
    const { status } = runScript(UPLOADER_SCRIPT, join(home, 'work'), {
      WATERFLOW_JOB: 'build',
      WATERFLOW_OUTPUTS: 'version',
    });

    expect(status).toBe(0);
    expect(readFileSync(s3('runs/run-1/build/outputs.json'), 'utf8')).toBe('{"version":""}');
  });

  it('writes the outputs WATERFLOW_OUTPUT_ARRAYS names as JSON arrays of their own, [] when unwritten', () => {
    // Prepare
    const dir = join(home, 'work');
    write(join(dir, '.waterflow-output'), 'items=["a","b"]\n');

    // Act
    const { status } = runScript(UPLOADER_SCRIPT, dir, {
      WATERFLOW_JOB: 'split',
      WATERFLOW_OUTPUTS: 'items,shards',
      WATERFLOW_OUTPUT_ARRAYS: 'items,shards',
    });

    // Assess
    expect(status).toBe(0);
    expect(readFileSync(s3('runs/run-1/split/outputs/items.json'), 'utf8')).toBe('["a","b"]');
    expect(readFileSync(s3('runs/run-1/split/outputs/shards.json'), 'utf8')).toBe('[]');
    expect(JSON.parse(readFileSync(s3('runs/run-1/split/outputs.json'), 'utf8'))).toStrictEqual({
      items: '["a","b"]',
      shards: '',
    });
  });

  it('uploads file and directory artifacts under artifacts/<name>/ and warns about a missing one', () => {
    // Prepare
    const dir = join(home, 'work');
    write(join(dir, 'bin/app'), 'binary');
    write(join(dir, 'site/index.html'), '<html>');
    write(join(dir, 'site/css/a.css'), 'a{}');

    // Act
    const { status, stderr } = runScript(UPLOADER_SCRIPT, dir, {
      WATERFLOW_JOB: 'build',
      WATERFLOW_ARTIFACTS: 'binary=bin/app\ndocs=site/\nnothing=dist',
    });

    // Assess
    expect(status).toBe(0);
    expect(readFileSync(s3('runs/run-1/build/artifacts/binary/app'), 'utf8')).toBe('binary');
    expect(readFileSync(s3('runs/run-1/build/artifacts/docs/site/css/a.css'), 'utf8')).toBe('a{}');
    expect(existsSync(s3('runs/run-1/build/outputs.json'))).toBe(false);
    expect(stderr).toBe(
      'waterflow: artifact nothing: dist is not in the working directory; nothing uploaded\n',
    );
  });

  it('fails when an upload fails, so that the job fails instead of losing its outputs', () => {
    writeFileSync(join(home, 'bin/aws'), '#!/bin/sh\necho "upload failed" >&2\nexit 1\n');

    const { status } = runScript(UPLOADER_SCRIPT, join(home, 'work'), {
      WATERFLOW_JOB: 'build',
      WATERFLOW_OUTPUTS: 'version',
    });

    expect(status).not.toBe(0);
  });
});

describe('the init script', () => {
  it('brings the artifacts an uploader stored back to their paths in the working directory', () => {
    // Prepare: what the uploader of "build" left
    write(s3('runs/run-1/build/artifacts/binary/app'), 'binary');
    write(s3('runs/run-1/build/artifacts/docs/site/css/a.css'), 'a{}');
    const dir = join(home, 'work');

    // Act
    const { status, stderr } = runScript(INIT_SCRIPT, dir, {
      WATERFLOW_ARTIFACTS_FROM: 'build/binary=bin/app\nbuild/docs=site/\nbuild/gone=dist',
    });

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(readFileSync(join(dir, 'bin/app'), 'utf8')).toBe('binary');
    expect(readFileSync(join(dir, 'site/css/a.css'), 'utf8')).toBe('a{}');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
