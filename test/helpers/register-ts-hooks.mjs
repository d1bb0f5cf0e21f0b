// Loaded with --import in every test process (see vitest.config.ts), and so in
// every worker thread those processes start.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
