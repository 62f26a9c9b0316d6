import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'compiler/**/*.test.ts',
      'cli/**/*.test.ts',
      'local/**/*.test.ts',
      'lambdas/**/*.test.ts',
    ],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    globalSetup: ['./test/support/build-cli.ts'],
  },
});
