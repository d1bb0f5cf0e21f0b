# RP3beta (Paudel et al. 2017) with scipy sparse, the reference that
# bench/suite/item-item.mjs compares mfrec's RP3beta with: on a binary X,
# P_ui = X row-normalised (users), P_iu = Xᵀ row-normalised (items), both
# raised element-wise to α; W = P_iu · P_ui (item to item through users), each
# column j divided by popularity_j^β, the K largest kept per row, diag 0; a
# user's scores are their row of X times W. The project's driver, not code of
# another project.
#
#   python3 bench/suite/reference/rp3beta.py PREFIX ROWS COLS K OUT [ALPHAS BETAS NEIGHBOURS]
#       (α, β, K) picked from the grid (comma-separated lists; defaults below)
#       by NDCG@10 on a 10% per-user validation slice of the training data
#       (seed 42), then refitted on all of it; writes every user's top-K list.
#
# Reads the files of reference_io.py.
import itertools
import sys

import numpy as np
import scipy.sparse

from reference_io import Stopwatch, binary, read_train, report, top_k, validation_ndcg, validation_slice, write_lists

ALPHAS = [0.5, 0.75, 1.0]
BETAS = [0.0, 0.25, 0.5, 0.75]
NEIGHBOURS = [50, 100, 200]


def row_normalised(m):
    sums = np.asarray(m.sum(axis=1)).ravel()
    sums[sums == 0] = 1
    return scipy.sparse.diags(1 / sums) @ m


def fit(x, alpha, beta, neighbours):
    """The pruned item-item weights W of RP3beta for binary CSR `x`, as CSR."""
    p_ui = row_normalised(x).power(alpha)
    p_iu = row_normalised(x.T.tocsr()).power(alpha)
    w = (p_iu @ p_ui).toarray()
    popularity = np.asarray(x.sum(axis=0)).ravel()
    popularity[popularity == 0] = 1
    w /= popularity[np.newaxis, :] ** beta
    np.fill_diagonal(w, 0)
    keep = min(int(neighbours), w.shape[1])
    if keep < w.shape[1]:
        cut = np.argpartition(-w, keep - 1, axis=1)[:, keep:]
        np.put_along_axis(w, cut, 0, axis=1)
    return scipy.sparse.csr_matrix(w)


def lists_for(x, w, k):
    return top_k((x @ w).toarray(), x, k)


def main(prefix, rows, cols, k, out, alphas=None, betas=None, neighbours=None):
    grid = list(
        itertools.product(
            [float(v) for v in alphas.split(",")] if alphas else ALPHAS,
            [float(v) for v in betas.split(",")] if betas else BETAS,
            [int(v) for v in neighbours.split(",")] if neighbours else NEIGHBOURS,
        )
    )
    x = binary(read_train(prefix, rows, cols), np.float64)
    rest, held = validation_slice(x)
    scores = {params: validation_ndcg(lists_for(rest, fit(rest, *params), 10), held) for params in grid}
    best = max(grid, key=lambda params: scores[params])
    with Stopwatch() as clock:
        w = fit(x, *best)
    write_lists(out, lists_for(x, w, int(k)))
    report(
        model="rp3beta",
        params={"alpha": best[0], "beta": best[1], "neighbours": best[2]},
        validationBest=round(scores[best], 5),
        fitSeconds=clock.seconds,
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
