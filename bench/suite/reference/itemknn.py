# Item-KNN from Python's `implicit` (built outside the project, found through
# PYTHONPATH; see bench/investigations/NOTES-reference-tools.md): the
# reference that bench/suite/item-item.mjs compares mfrec's item-KNN with.
# The project's driver, a few lines around implicit's own classes.
#
#   PYTHONPATH=DIR python3 bench/suite/reference/itemknn.py lists PREFIX ROWS COLS K OUT bm25|cosine|tfidf [NEIGHBOURS]
#       fits implicit's BM25Recommender, CosineRecommender or TFIDFRecommender
#       with its defaults (or NEIGHBOURS as its K) on the training data as given (values included) and
#       writes every user's top-K list (already-liked items filtered, as
#       implicit does by default) to OUT.
#   PYTHONPATH=DIR python3 bench/suite/reference/itemknn.py fit PREFIX ROWS COLS NEIGHBOURS THREADS
#       one BM25Recommender(K=NEIGHBOURS, num_threads=THREADS) fit, for the
#       speed table: prints the fit's seconds.
#
# Reads the files of reference_io.py.
import sys
import warnings

import numpy as np

import implicit
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender, TFIDFRecommender
from implicit.utils import ParameterWarning
from reference_io import Stopwatch, peak_rss_mb, read_train, report, write_lists

# implicit's own fit hands itself a COO matrix and warns about it (a few ms of conversion, timed with the fit).
warnings.filterwarnings("ignore", category=ParameterWarning)

CLASSES = {"bm25": BM25Recommender, "cosine": CosineRecommender, "tfidf": TFIDFRecommender}


def main_lists(prefix, rows, cols, k, out, weighting, neighbours=None):
    user_items = read_train(prefix, rows, cols)
    model = CLASSES[weighting](**({"K": int(neighbours)} if neighbours else {}))
    with Stopwatch() as clock:
        model.fit(user_items, show_progress=False)
    users = np.arange(user_items.shape[0])
    ids, _scores = model.recommend(users, user_items, N=int(k), filter_already_liked_items=True)
    lists = np.full((len(users), int(k)), -1, dtype=np.int32)
    lists[:, : ids.shape[1]] = ids
    write_lists(out, lists)
    report(model=f"implicit {weighting}", implicit=implicit.__version__, params={"K": model.K}, fitSeconds=clock.seconds)


def main_fit(prefix, rows, cols, neighbours, threads):
    user_items = read_train(prefix, rows, cols)
    before = peak_rss_mb()
    model = BM25Recommender(K=int(neighbours), num_threads=int(threads))
    with Stopwatch() as clock:
        model.fit(user_items, show_progress=False)
    report(model="implicit bm25", implicit=implicit.__version__, params={"K": int(neighbours)}, fitSeconds=clock.seconds, rssBeforeFitMB=before)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"lists": main_lists, "fit": main_fit}[mode](*args)
