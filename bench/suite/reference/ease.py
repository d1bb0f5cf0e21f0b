# A straightforward numpy EASE (Steck 2019), the reference that
# bench/suite/item-item.mjs compares mfrec's EASE with: on a binary X,
# G = XᵀX + λI, P = inv(G), B = −P / diag(P) column-wise, diag(B) = 0; a
# user's scores are their row of X times B. The project's driver, not code
# of another project.
#
#   python3 bench/suite/reference/ease.py lists PREFIX ROWS COLS K OUT [LAMBDAS]
#       λ picked from LAMBDAS (comma-separated; default grid below) by NDCG@10
#       on a 10% per-user validation slice of the training data (seed 42),
#       then refitted on all of it; writes the top-K list of every user to OUT.
#   python3 bench/suite/reference/ease.py fit PREFIX ROWS COLS LAMBDA [float32|float64]
#       one fit only, for the speed table: prints the fit's seconds, the
#       resident set before it (data loaded) and the peak after it.
#
# Reads the files of reference_io.py. numpy uses every thread OpenBLAS has.
import sys

import numpy as np

from reference_io import Stopwatch, binary, peak_rss_mb, read_train, report, top_k, validation_ndcg, validation_slice, write_lists

GRID = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


def fit(x, lam, dtype=np.float64):
    """The item-item weights B of EASE for binary CSR `x`."""
    gram = (x.T @ x).toarray().astype(dtype, copy=False)
    gram[np.diag_indices_from(gram)] += lam
    p = np.linalg.inv(gram)
    b = p / (-np.diag(p))
    b[np.diag_indices_from(b)] = 0
    return b


def lists_for(x, b, k):
    return top_k(x @ b, x, k)


def main_lists(prefix, rows, cols, k, out, lambdas=None):
    grid = [float(v) for v in lambdas.split(",")] if lambdas else GRID
    x = binary(read_train(prefix, rows, cols))
    rest, held = validation_slice(x)
    scores = {}
    for lam in grid:
        scores[lam] = validation_ndcg(lists_for(rest, fit(rest, lam), 10), held)
    best = max(grid, key=lambda lam: scores[lam])
    with Stopwatch() as clock:
        b = fit(x, best)
    write_lists(out, lists_for(x, b, int(k)))
    report(model="ease", params={"lambda": best}, validation={str(k_): round(v, 5) for k_, v in scores.items()}, fitSeconds=clock.seconds)


def main_fit(prefix, rows, cols, lam, dtype="float32"):
    x = binary(read_train(prefix, rows, cols))
    before = peak_rss_mb()
    with Stopwatch() as clock:
        fit(x, float(lam), np.dtype(dtype))
    report(model="ease", params={"lambda": float(lam), "dtype": dtype}, fitSeconds=clock.seconds, rssBeforeFitMB=before)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"lists": main_lists, "fit": main_fit}[mode](*args)
