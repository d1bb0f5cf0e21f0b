import { expect, it } from 'vitest';
import { libraryInfo } from '../../lib/index.js';

it('reports version, BLAS and threads', () => {
  const info = libraryInfo();
  expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(info.blas.length).toBeGreaterThan(0);
  expect(info.openblas).toBe(info.blas.startsWith('OpenBLAS'));
  expect(info.hardwareThreads).toBeGreaterThanOrEqual(1);
});
