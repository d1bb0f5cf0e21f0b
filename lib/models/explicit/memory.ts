/** ExplicitMF's memory check, before a fit allocates anything. */
import { checkMemory, formatBytes } from '../base/memory-limit.js';

/**
 * Refuses, before allocating anything, a model whose arrays would not fit:
 * a factor matrix beyond the typed-array limit, or a total beyond the memory
 * this process may use (memory-limit.ts).
 */
export function checkFitMemory(nUsers: number, nItems: number, factors: number, nnz: number, copies: number): void {
  const factorBytes = (nUsers + nItems) * (factors + 1) * 4;
  checkMemory({
    where: 'ExplicitMF.fit',
    what: `${nUsers} users and ${nItems} items × ${factors} factors (${formatBytes(factorBytes)} per copy of the model, ${copies} copies while training)`,
    bytes: factorBytes * copies + nnz * 12 * 2,
    largestArray: Math.max(nUsers, nItems) * factors,
    remedy: 'use fewer factors',
  });
}
