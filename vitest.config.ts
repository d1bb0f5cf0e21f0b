import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One test file per core: the default leaves one core idle (on 2 cores, files
    // would run one at a time, while many wait on child processes and workers).
    maxWorkers: availableParallelism(),
    // Parsing threads load the library's own modules through Node, not through
    // Vitest: these hooks let them run the TypeScript sources.
    execArgv: ['--import', new URL('./test/helpers/register-ts-hooks.mjs', import.meta.url).href],
  },
});
