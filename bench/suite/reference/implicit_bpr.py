# Times one fit of Python's `implicit` BayesianPersonalizedRanking on a CSR
# matrix written by bench/suite/implicit.mjs, and prints one JSON line with the
# wall time of each epoch (implicit's fit callback), its process CPU time, and
# how many of its draws were skipped. This is the project's driver, not implicit's code; implicit
# itself is built outside the repository and found through PYTHONPATH (see
# bench/README.md).
#
#   PYTHONPATH=DIR python3 bench/suite/reference/implicit_bpr.py \
#     PREFIX ROWS COLS FACTORS ITERATIONS THREADS
#
# PREFIX.indptr, PREFIX.indices, PREFIX.values: little-endian int32, int32,
# float32 (the Interactions' by-user CSR arrays, raw). implicit's defaults
# otherwise (learning rate 0.01, regularization 0.01, negatives verified,
# float32). An epoch of implicit makes nnz draws of a stored (user, item) pair
# and a negative item (the item of another uniformly drawn stored pair), and
# skips the draw, without an update, when the user has that negative: the
# JSON's "samples" is the number of updates of each epoch, nnz − skipped.
import json
import sys
import time

import numpy as np
import scipy.sparse

import implicit
from implicit.cpu.bpr import BayesianPersonalizedRanking

prefix, rows, cols, factors, iterations, threads = sys.argv[1:7]
rows, cols = int(rows), int(cols)
indptr = np.fromfile(prefix + ".indptr", dtype="<i4")
indices = np.fromfile(prefix + ".indices", dtype="<i4")
values = np.fromfile(prefix + ".values", dtype="<f4")
user_items = scipy.sparse.csr_matrix((values, indices, indptr), shape=(rows, cols))

model = BayesianPersonalizedRanking(
    factors=int(factors),
    iterations=int(iterations),
    num_threads=int(threads),
    random_state=42,
)
times = []
cpu = []
samples = []
last_cpu = [time.process_time()]


def on_epoch(epoch, elapsed, correct, skipped):
    # Process CPU seconds (all threads) since the previous epoch's end: the
    # first epoch's figure also holds the set-up before it.
    now = time.process_time()
    cpu.append(now - last_cpu[0])
    last_cpu[0] = now
    times.append(elapsed)
    samples.append(int(user_items.nnz - skipped))


model.fit(user_items, show_progress=False, callback=on_epoch)
print(json.dumps({"version": implicit.__version__, "file": implicit.__file__, "seconds": times, "cpu_seconds": cpu, "samples": samples}))
