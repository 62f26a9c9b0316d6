import { describe, expect, it } from 'vitest';
import { measureFanOut } from '../../bench/simulator/fan-out.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';

const PAYLOAD_QUOTA = 256 * 1024;
const HISTORY_QUOTA = 25_000;

describe('a 10,000-item dynamic matrix', () => {
  // Prepare, Act: shared by the assertions below (one simulation of 10,001 executions).
  const figures = measureFanOut((yaml) => compileWorkflow(yaml, 'fan-out.yaml'), {
    items: 10_000,
    maxParallel: 1_000,
    itemSeconds: 60,
  });

  it('runs every item as a child execution of its own', () => {
    expect(figures.status).toBe('SUCCEEDED');
    expect(figures.executions).toBe(10_001);
  });

  it('keeps every state payload under 256 KB in the simulator', () => {
    expect(figures.maxPayloadBytes).toBeLessThan(PAYLOAD_QUOTA);
  });

  it('keeps every execution under 25,000 history events in the simulator and in the estimate', () => {
    expect(figures.maxExecutionHistoryEvents).toBeLessThan(HISTORY_QUOTA);
    expect(figures.parentHistoryEvents).toBeLessThan(HISTORY_QUOTA);
    expect(figures.estimatedHistoryEvents).toBeLessThan(HISTORY_QUOTA);
  });

  it('estimates the largest execution as the simulator counts it', () => {
    expect(figures.estimatedHistoryEvents).toBe(figures.maxExecutionHistoryEvents);
  });
});
