import type { Block } from './plan.js';

/**
 * Where each node sits in the plan, to answer "does `u`'s result reach `v` through the state?".
 * A result written to `$.jobs` travels down a sequence (every later item's input carries it)
 * and out of a Parallel (its branches' `jobs` are merged), but never sideways into a sibling
 * branch. The plan orders jobs through gates as well as nesting, so `u` may end before `v`
 * starts while `u`'s result never reaches `v`'s branch: a→b gated, b→c nested orders a before
 * c, but a's result stays in a's branch. Such a reader must get the result from its gate.
 */
export class PlanPositions {
  /** For each node: the blocks from the root down to it, with the child taken at each. */
  readonly #paths: Array<ReadonlyArray<Step> | undefined> = [];

  constructor(root: Block) {
    this.#walk(root, []);
  }

  /** True when `u` comes before `v` in a sequence that encloses both. */
  resultReaches(u: number, v: number): boolean {
    const pu = this.#paths[u];
    const pv = this.#paths[v];
    if (pu === undefined || pv === undefined) return false;
    const depth = Math.min(pu.length, pv.length);
    for (let i = 0; i < depth; i++) {
      const a = pu[i] as Step;
      const b = pv[i] as Step;
      if (a.child === b.child) continue;
      // The first block where the two paths part: siblings in it, one after the other or not.
      return a.series && a.child < b.child;
    }
    return false;
  }

  #walk(block: Block, path: Step[]): void {
    switch (block.kind) {
      case 'node':
        this.#paths[block.node] = path;
        return;
      case 'series':
        block.items.forEach((item, i) => {
          this.#walk(item, [...path, { series: true, child: i }]);
        });
        return;
      case 'parallel':
        block.branches.forEach((branch, i) => {
          this.#walk(branch, [...path, { series: false, child: i }]);
        });
        return;
      case 'part':
        this.#walk(block.body, [...path, { series: true, child: 0 }]);
        return;
    }
  }
}

interface Step {
  /** The block is a sequence (or a part, which passes `jobs` in and out). */
  readonly series: boolean;
  readonly child: number;
}
