/** BPR's epoch on either backend (see base/backend.ts); both update the arrays in place and return the epoch's statistics. */
import * as addon from '../../addon/bpr.js';
import type { BprEpochArgs, BprEpochStats } from '../../addon/bpr.js';
import * as twin from '../../twins/bpr.js';
import type { Backends } from '../base/backend.js';
import { yieldTurn, type CancelFlag } from '../base/training.js';

export interface BprBackend {
  epoch(args: BprEpochArgs, cancel: CancelFlag): Promise<BprEpochStats>;
}

export const bprBackends: Backends<BprBackend> = {
  native: { epoch: (args) => addon.bprBinding().bprEpoch(args) },
  js: {
    async epoch(args, cancel) {
      await yieldTurn(cancel);
      return twin.bprEpochTwin(args);
    },
  },
};
