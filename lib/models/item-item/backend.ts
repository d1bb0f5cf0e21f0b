/** Where the neighbour search of item-KNN and RP3beta runs (see lib/models/base/backend.ts): the native kernel or its twin. */
import { itemItemFitBinding, type NeighboursArgs } from '../../addon/item-item-fit.js';
import { itemNeighboursTwin } from '../../twins/neighbours.js';
import type { Backends } from '../base/backend.js';
import { nextTurn } from '../base/training.js';

export const neighbourBackends: Backends<(args: NeighboursArgs) => Promise<void>> = {
  native: (args) => itemItemFitBinding().itemNeighbours(args),
  // The twin runs on the event loop: after a turn, so fit() returns (busy) before it computes.
  js: async (args) => {
    await nextTurn();
    itemNeighboursTwin(args);
  },
};
