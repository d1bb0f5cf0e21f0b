# Times one fit of Python's `implicit` AlternatingLeastSquares on a CSR
# matrix written by bench/suite/implicit.mjs, and prints one JSON line with the wall
# time of each iteration (implicit's fit callback: user and item half-sweeps).
# This is the project's driver, not implicit's code; implicit itself is built
# outside the repository and found through PYTHONPATH (see bench/README.md).
#
#   OPENBLAS_NUM_THREADS=1 PYTHONPATH=DIR python3 bench/suite/reference/implicit_als.py \
#     PREFIX ROWS COLS FACTORS cg|cholesky ITERATIONS THREADS
#
# PREFIX.indptr, PREFIX.indices, PREFIX.values: little-endian int32, int32,
# float32 (the Interactions' by-user CSR arrays, raw). implicit's defaults
# otherwise (regularization 0.01, alpha 1, 3 CG steps, float32).
import json
import sys

import numpy as np
import scipy.sparse

import implicit
from implicit.cpu.als import AlternatingLeastSquares

prefix, rows, cols, factors, solver, iterations, threads = sys.argv[1:8]
rows, cols = int(rows), int(cols)
indptr = np.fromfile(prefix + ".indptr", dtype="<i4")
indices = np.fromfile(prefix + ".indices", dtype="<i4")
values = np.fromfile(prefix + ".values", dtype="<f4")
user_items = scipy.sparse.csr_matrix((values, indices, indptr), shape=(rows, cols))

model = AlternatingLeastSquares(
    factors=int(factors),
    use_cg=solver == "cg",
    iterations=int(iterations),
    num_threads=int(threads),
    random_state=42,
)
times = []
model.fit(user_items, show_progress=False, callback=lambda it, elapsed, loss: times.append(elapsed))
print(json.dumps({"version": implicit.__version__, "file": implicit.__file__, "seconds": times}))
