import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('waterflow validate', () => {
  it('exits 0 and says each example is valid', async () => {
    const { code, stdout } = await runCli('validate', 'examples/hello.yaml', 'examples/etl-fan-out.yaml');

    expect(code).toBe(0);
    expect(stdout).toMatch(/^examples\/hello\.yaml: valid \(\d+ jobs\)$/m);
    expect(stdout).toMatch(/^examples\/etl-fan-out\.yaml: valid/m);
  });

  it('exits 1 and prints file:line:col CODE message for an invalid file', async () => {
    const { code, stdout } = await runCli('validate', 'test/fixtures/invalid/unknown-need.yaml');

    expect(code).toBe(1);
    expect(stdout).toMatchInlineSnapshot(`
      "test/fixtures/invalid/unknown-need.yaml:14:19 WF2003 job "publish" needs "tset", which does not exist (did you mean "test"?)
      test/fixtures/invalid/unknown-need.yaml: invalid (1 error)
      "
    `);
  });

  it('prints the diagnostics as a JSON list with --format json', async () => {
    const { code, stdout } = await runCli(
      'validate',
      '--format',
      'json',
      'test/fixtures/invalid/self-dependency.yaml',
    );
    const diagnostics = JSON.parse(stdout);

    expect(code).toBe(1);
    expect(diagnostics).toHaveLength(1);
    expect(Object.keys(diagnostics[0]).sort()).toStrictEqual([
      'code',
      'column',
      'file',
      'line',
      'message',
      'path',
      'severity',
    ]);
    expect(diagnostics[0]).toMatchObject({
      code: 'WF2005',
      file: 'test/fixtures/invalid/self-dependency.yaml',
    });
  });

  it('exits 2 with one line, no stack trace, when a file cannot be read', async () => {
    const { code, stderr } = await runCli('validate', 'examples/hello.yaml', 'no/such/file.yaml');

    expect(code).toBe(2);
    expect(stderr).toBe('no/such/file.yaml: cannot read the file: no such file\n');
  });

  it('exits 2 on a usage error', async () => {
    const missing = await runCli('validate');
    const badFormat = await runCli('validate', '--format', 'xml', 'examples/hello.yaml');
    const unknown = await runCli('valiate', 'examples/hello.yaml');

    expect([missing.code, badFormat.code, unknown.code]).toStrictEqual([2, 2, 2]);
    expect(unknown.stderr).toContain("unknown command 'valiate'");
    expect(badFormat.stderr).toContain("'xml' is invalid");
  });
});

describe('waterflow schema', () => {
  it('prints a JSON Schema for editors', async () => {
    const { code, stdout } = await runCli('schema');
    const schema = JSON.parse(stdout);

    expect(code).toBe(0);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.properties.apiVersion).toStrictEqual({ type: 'string', const: 'waterflow.io/v1' });
  });
});

describe('waterflow graph', () => {
  const file = 'test/fixtures/graph/n-shape.yaml';

  it('draws the transitive reduction as Mermaid, one subgraph per stage', async () => {
    const { code, stdout } = await runCli('graph', file);

    expect(code).toBe(0);
    expect(stdout).toMatchInlineSnapshot(`
      "flowchart TD
        subgraph s0["fetch"]
          j_reference["reference<br/>alpine:3.20"]
          j_samples["samples<br/>alpine:3.20"]
        end
        subgraph s1["align"]
          j_index["index<br/>alpine:3.20"]
          j_align["align<br/>alpine:3.20"]
          j_review{{"review<br/>approval"}}
        end
        j_reference --> j_index
        j_index --> j_align
        j_samples --> j_align
        j_align --> j_review
      "
    `);
  });

  it('draws the same graph in Graphviz dot', async () => {
    const { code, stdout } = await runCli('graph', file, '--format', 'dot');

    expect(code).toBe(0);
    expect(stdout).toMatchInlineSnapshot(`
      "digraph "n-shape" {
        rankdir=TB;
        node [shape=box, fontname="Helvetica"];
        subgraph cluster_0 {
          label="fetch";
          "reference" [label="reference\\nalpine:3.20"];
          "samples" [label="samples\\nalpine:3.20"];
        }
        subgraph cluster_1 {
          label="align";
          "index" [label="index\\nalpine:3.20"];
          "align" [label="align\\nalpine:3.20"];
          "review" [label="review\\napproval", shape=hexagon];
        }
        "reference" -> "index";
        "index" -> "align";
        "samples" -> "align";
        "align" -> "review";
      }
      "
    `);
  });

  it('prints the diagnostics and exits 1 for an invalid file', async () => {
    const { code, stderr } = await runCli('graph', 'test/fixtures/invalid/job-cycle.yaml');

    expect(code).toBe(1);
    expect(stderr).toContain('WF2006');
  });
});
