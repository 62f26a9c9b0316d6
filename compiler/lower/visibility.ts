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
  /**
   * For each node: the last step of its path from the root, linked to the steps above it.
   * Nodes share the steps of the blocks that enclose them, instead of a copy of the path each.
   */
  readonly #paths: Array<Step | null | undefined> = [];
  /** The plan, until the first question walks it: most workflows never ask one. */
  #root: Block | undefined;

  constructor(root: Block) {
    this.#root = root;
  }

  /** True when `u` comes before `v` in a sequence that encloses both. */
  resultReaches(u: number, v: number): boolean {
    if (this.#root !== undefined) {
      this.#walk(this.#root, null);
      this.#root = undefined;
    }
    let a = this.#paths[u];
    let b = this.#paths[v];
    if (a === undefined || b === undefined || a === null || b === null) return false;
    while (a.depth > b.depth) a = a.up as Step;
    while (b.depth > a.depth) b = b.up as Step;
    // One node's path is the other's start: neither is in a sibling block of the other.
    if (a === b) return false;
    // Up to the first block where the two paths part: siblings in it, one after the other or not.
    while (a.up !== b.up) {
      a = a.up as Step;
      b = b.up as Step;
    }
    return a.series && a.child < b.child;
  }

  #walk(block: Block, up: Step | null): void {
    const depth = up === null ? 0 : up.depth + 1;
    switch (block.kind) {
      case 'node':
        this.#paths[block.node] = up;
        return;
      case 'series':
        block.items.forEach((item, child) => {
          this.#walk(item, { up, depth, series: true, child });
        });
        return;
      case 'parallel':
        block.branches.forEach((branch, child) => {
          this.#walk(branch, { up, depth, series: false, child });
        });
        return;
      case 'part':
        this.#walk(block.body, { up, depth, series: true, child: 0 });
        return;
    }
  }
}

/** One block on the way from the root to a node, and the child taken in it. */
interface Step {
  /** The step of the enclosing block; null at the root. */
  readonly up: Step | null;
  readonly depth: number;
  /** The block is a sequence (or a part, which passes `jobs` in and out). */
  readonly series: boolean;
  readonly child: number;
}
