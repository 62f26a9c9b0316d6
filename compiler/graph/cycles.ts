/**
 * Finds cycles in a directed graph given as `node -> nodes it depends on`. Returns each cycle
 * once, as the list of its nodes starting from the smallest index, without repeating the first.
 * Iterative, so that deep graphs (thousands of jobs in a chain) do not overflow the stack.
 */
export function findCycles(
  nodes: ReadonlyArray<string>,
  edges: ReadonlyMap<string, ReadonlyArray<string>>,
): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const root of nodes) {
    if (state.has(root)) continue;
    const stack: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    const onPath: string[] = [root];
    state.set(root, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { node: string; next: number };
      const deps = edges.get(frame.node) ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.node, 'done');
        stack.pop();
        onPath.pop();
        continue;
      }
      const dep = deps[frame.next++] as string;
      const s = state.get(dep);
      if (s === 'open') {
        const cycle = rotate(onPath.slice(onPath.indexOf(dep)), nodes);
        const key = cycle.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined && edges.has(dep)) {
        state.set(dep, 'open');
        stack.push({ node: dep, next: 0 });
        onPath.push(dep);
      }
    }
  }
  return cycles;
}

/** Starts a cycle at its earliest node in document order, so that messages are stable. */
function rotate(cycle: string[], order: ReadonlyArray<string>): string[] {
  let best = 0;
  for (let i = 1; i < cycle.length; i++) {
    if (order.indexOf(cycle[i] as string) < order.indexOf(cycle[best] as string)) best = i;
  }
  return [...cycle.slice(best), ...cycle.slice(0, best)];
}
