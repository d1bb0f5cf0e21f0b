/** Where EASE's closed form runs (see lib/models/base/backend.ts): the native kernel or its twin. */
import { itemItemFitBinding, type EaseFitArgs } from '../../addon/item-item-fit.js';
import { easeFitTwin } from '../../twins/ease.js';
import type { Backends } from '../base/backend.js';
import { nextTurn } from '../base/training.js';

export const easeBackends: Backends<(args: EaseFitArgs) => Promise<void>> = {
  native: (args) => itemItemFitBinding().easeFit(args),
  // The twin runs on the event loop: after a turn, so fit() returns (busy) before it computes.
  js: async (args) => {
    await nextTurn();
    easeFitTwin(args);
  },
};
