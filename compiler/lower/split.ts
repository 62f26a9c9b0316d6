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

/**
 * Bottom-up: children fit first; then, while this block holds more than `budget` nodes, its
 * biggest child becomes a part of its own; children of one node each are grouped instead.
 */
function fitBlock(block: Block, budget: number): Block {
  if (block.kind === 'node' || block.kind === 'part') return block;
  const isSeries = block.kind === 'series';
  const join = isSeries ? series : parallel;
  let children = (isSeries ? block.items : block.branches).map((b) => fitBlock(b, budget));
  const weights = children.map(weight);
  let total = weights.reduce((sum, w) => sum + w, 0);
  while (total > budget) {
    let biggest = 0;
    for (let i = 1; i < weights.length; i++)
      if ((weights[i] as number) > (weights[biggest] as number)) biggest = i;
    if ((weights[biggest] as number) <= 1) {
      children = pack(children, budget, join);
      break;
    }
    total -= (weights[biggest] as number) - 1;
    weights[biggest] = 1;
    children[biggest] = { kind: 'part', body: children[biggest] as Block };
  }
  return join(children);
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
