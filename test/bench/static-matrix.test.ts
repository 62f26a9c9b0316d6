import { describe, expect, it } from 'vitest';
import { measureFanOut } from '../../bench/simulator/fan-out.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';

const PAYLOAD_QUOTA = 256 * 1024;
const HISTORY_QUOTA = 25_000;

describe('a 2,000-item static matrix with maxParallel 4', () => {
  // Prepare, Act: shared by the assertions below (one simulation of 2,001 executions).
  const figures = measureFanOut((yaml) => compileWorkflow(yaml, 'fan-out.yaml'), {
    items: 2_000,
    maxParallel: 4,
    itemSeconds: 60,
    matrix: 'static',
  });

  it('runs every item as a child execution of its own', () => {
    expect(figures.status).toBe('SUCCEEDED');
    expect(figures.executions).toBe(2_001);
  });

  it('keeps the parent history to the Map, not its items', () => {
    expect(figures.parentHistoryEvents).toBeLessThan(100);
    expect(figures.maxExecutionHistoryEvents).toBeLessThan(HISTORY_QUOTA);
  });

  it('keeps every state payload under 256 KB, the items included', () => {
    expect(figures.maxPayloadBytes).toBeLessThan(PAYLOAD_QUOTA);
  });

  it('runs 4 items at once: 500 rounds of 60 s', () => {
    expect(figures.makespan).toBeGreaterThanOrEqual(500 * 60);
  });

  it('estimates the largest execution as the simulator counts it', () => {
    expect(figures.estimatedHistoryEvents).toBe(figures.maxExecutionHistoryEvents);
  });
});
