import { type Block, parallel, series } from './plan.js';

/** Nodes in a block, a part counting as one (its start task). */
function weight(block: Block): number {
  switch (block.kind) {
    case 'node':
    case 'part':
      return 1;
    case 'series':
      return block.items.reduce((sum, b) => sum + weight(b), 0);
    case 'parallel':
      return block.branches.reduce((sum, b) => sum + weight(b), 0);
  }
}

/** Consecutive children in groups of at most `budget` nodes, each group a part of its own. */
function pack(children: Block[], budget: number, join: (blocks: Block[]) => Block): Block[] {
  const groups: Block[][] = [];
  let current: Block[] = [];
  let size = 0;
  for (const child of children) {
    const w = weight(child);
    if (size + w > budget && current.length > 0) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(child);
    size += w;
  }
  if (current.length > 0) groups.push(current);
  // A lone child stays where it is: a part of one node would cost more than the node.
  return groups.map((group) =>
    group.length === 1 ? (group[0] as Block) : { kind: 'part', body: join(group) },
  );
}

function fitBlock(block: Block, budget: number): Block {
  if (weight(block) <= budget) return block;
  if (block.kind === 'series')
    return series(
      pack(
        block.items.map((b) => fitBlock(b, budget)),
        budget,
        series,
      ),
    );
  if (block.kind === 'parallel')
    return parallel(
      pack(
        block.branches.map((b) => fitBlock(b, budget)),
        budget,
        parallel,
      ),
    );
  return block;
}

/**
 * Splits a plan so that no state machine holds more than `budget` nodes: blocks too big are
 * cut into consecutive groups, each run as a child execution. Nesting and gates are kept, so
 * the split changes where states live, not when jobs start.
 */
export function splitPlan(root: Block, budget: number): Block {
  // Grouping needs room for two: a budget of one would never shrink anything.
  const room = Math.max(2, budget);
  let block = fitBlock(root, room);
  // A top level of many parts may itself be too big: group the parts into parts, while that helps.
  for (let size = weight(block); size > room; ) {
    block = fitBlock(block, room);
    const next = weight(block);
    if (next >= size) break;
    size = next;
  }
  return block;
}
