import { createRandom } from '../generate.js';
import type { DagJob } from './dag.js';

/** Options of a random layered DAG. */
export interface LayeredDagOptions {
  readonly jobs: number;
  readonly seed: number;
  /** Shortest and longest job, in seconds; runtimes are log-uniform between them. @default [1, 1800] */
  readonly runtimeRange?: readonly [number, number];
}

/** A named DAG in the corpus shape, so that `instanceToWorkflow` turns it into a workflow. */
export interface LayeredDag {
  readonly name: string;
  readonly jobs: ReadonlyArray<DagJob>;
}

/**
 * A seeded random layered DAG: between √n/2 and 2√n layers of random widths; each job after the
 * first layer has 1 to 3 parents in the layer before and, one time in three, one more in an
 * earlier layer, so that long edges make the DAG non-series-parallel. Runtimes are log-uniform.
 */
export function layeredDag(options: LayeredDagOptions): LayeredDag {
  const random = createRandom(options.seed);
  const [low, high] = options.runtimeRange ?? [1, 1800];
  const runtime = () => Math.round(Math.exp(Math.log(low) + random() * Math.log(high / low)) * 1000) / 1000;
  const root = Math.sqrt(options.jobs);
  const layerCount = Math.max(2, Math.round(root / 2 + random() * 1.5 * root));
  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (let i = 0; i < options.jobs; i++) {
    // The first jobs seed every layer, so that none is empty; the rest fall anywhere.
    const layer = i < layerCount ? i : Math.floor(random() * layerCount);
    layers[layer]?.push(`j${layer}-${layers[layer]?.length ?? 0}`);
  }
  const jobs: DagJob[] = [];
  layers.forEach((ids, layer) => {
    for (const id of ids)
      jobs.push({ id, runtimeSeconds: runtime(), parents: parentsOf(random, layers, layer) });
  });
  return { name: `layered-${options.jobs}-s${options.seed}`, jobs };
}

function parentsOf(
  random: () => number,
  layers: ReadonlyArray<ReadonlyArray<string>>,
  layer: number,
): string[] {
  if (layer === 0) return [];
  const previous = layers[layer - 1] ?? [];
  const parents = new Set<string>();
  const count = 1 + Math.floor(random() * 3);
  for (let k = 0; k < count; k++) parents.add(previous[Math.floor(random() * previous.length)] as string);
  if (layer >= 2 && random() < 1 / 3) {
    const earlier = layers[Math.floor(random() * (layer - 1))] ?? [];
    parents.add(earlier[Math.floor(random() * earlier.length)] as string);
  }
  return [...parents];
}
