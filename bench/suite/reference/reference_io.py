# What the item-to-item reference drivers (ease.py, rp3beta.py, itemknn.py)
# share: reading the training matrix bench/suite/item-item.mjs writes, a
# validation slice of it for the drivers that pick a hyperparameter, top-k
# lists, and writing those lists back. The lists are scored on the Node side
# by mfrec's one evaluator (evaluateLists); the small scorer here only picks
# hyperparameters on the validation slice of the training data.
#
# Files under PREFIX: .indptr, .indices (little-endian int32) and .values
# (float32): the by-user CSR arrays of the training data, raw. Lists are
# written as little-endian int32, ROWS × K, row u the list of dense user u,
# best first, −1 padded.
import json
import resource
import time

import numpy as np
import scipy.sparse


def read_train(prefix, rows, cols):
    indptr = np.fromfile(prefix + ".indptr", dtype="<i4")
    indices = np.fromfile(prefix + ".indices", dtype="<i4")
    values = np.fromfile(prefix + ".values", dtype="<f4")
    return scipy.sparse.csr_matrix((values, indices, indptr), shape=(int(rows), int(cols)))


def binary(matrix, dtype=np.float32):
    """The same pattern with every stored value 1."""
    out = matrix.astype(dtype, copy=True)
    out.data[:] = 1
    return out


def validation_slice(matrix, fraction=0.1, seed=42):
    """Per user, a random `fraction` of the items (at least one for users with
    three or more) moved out of the matrix: (rest, held) with held a list of
    item arrays per user."""
    rng = np.random.default_rng(seed)
    matrix = matrix.tocsr()
    keep = np.ones(matrix.nnz, dtype=bool)
    held = []
    for u in range(matrix.shape[0]):
        begin, end = matrix.indptr[u], matrix.indptr[u + 1]
        n = end - begin
        take = int(round(n * fraction)) if n >= 3 else 0
        if n >= 3:
            take = max(take, 1)
        picked = begin + rng.choice(n, size=take, replace=False) if take else np.empty(0, dtype=np.int64)
        keep[picked] = False
        held.append(matrix.indices[picked])
    coo = matrix.tocoo()
    rest = scipy.sparse.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape)
    return rest, held


def top_k(scores, seen, k):
    """Rows of dense `scores` (users × items) to their k best items, the
    items of `seen` (CSR, same users) excluded; ties: lower item first."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    for u in range(scores.shape[0]):
        scores[u, seen.indices[seen.indptr[u] : seen.indptr[u + 1]]] = -np.inf
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    lists = np.full((scores.shape[0], k), -1, dtype=np.int32)
    for u in range(scores.shape[0]):
        cand = part[u]
        order = np.lexsort((cand, -scores[u, cand]))
        best = cand[order]
        best = best[np.isfinite(scores[u, best])]
        lists[u, : len(best)] = best
    return lists


def validation_ndcg(lists, held, k=10):
    """Mean NDCG@k over users with held-out items (binary gains)."""
    discount = 1 / np.log2(np.arange(k) + 2)
    total, users = 0.0, 0
    for u, items in enumerate(held):
        if len(items) == 0:
            continue
        users += 1
        hit = np.isin(lists[u, :k], items)
        total += float((hit * discount[: len(hit)]).sum() / discount[: min(k, len(items))].sum())
    return total / max(users, 1)


def write_lists(path, lists):
    lists.astype("<i4").tofile(path + ".partial")
    import os

    os.replace(path + ".partial", path)


def peak_rss_mb():
    """This process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**fields):
    """The one JSON line the Node side reads (the last line of stdout)."""
    fields.setdefault("numpy", np.__version__)
    fields.setdefault("scipy", scipy.__version__)
    fields.setdefault("peakRssMB", peak_rss_mb())
    print(json.dumps(fields), flush=True)


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
