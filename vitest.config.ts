import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Parsing threads load the library's own modules through Node, not through
    // Vitest: these hooks let them run the TypeScript sources.
    execArgv: ['--import', new URL('./test/helpers/register-ts-hooks.mjs', import.meta.url).href],
  },
});
