"""Reference run for test/models/kmeans-sklearn.test.ts.

Reads a JSON file {"init": [[...]], "batches": [[[...]]]} and runs scikit-learn's
MiniBatchKMeans.partial_fit once per batch, starting from the given centres. Random reassignment
is off (reassignment_ratio=0), so each step is the plain mini-batch rule: assign every point to
its nearest centre, then move each centre to the mean of its previous points and the new ones.
Prints JSON: the final centres, their per-centre counts, and the cost (sum of squared distances
to the nearest centre) over every point seen.

Usage: /usr/bin/python3 kmeans_partial_fit.py INPUT.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans


def main(path):
    with open(path) as handle:
        spec = json.load(handle)
    init = np.array(spec["init"], dtype=np.float64)
    batches = [np.array(batch, dtype=np.float64) for batch in spec["batches"]]
    model = MiniBatchKMeans(
        n_clusters=init.shape[0],
        init=init,
        n_init=1,
        reassignment_ratio=0.0,
        random_state=0,
    )
    for batch in batches:
        model.partial_fit(batch)
    points = np.vstack(batches)
    centers = model.cluster_centers_
    squared = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    print(
        json.dumps(
            {
                "sklearnVersion": sklearn.__version__,
                "centers": centers.tolist(),
                "counts": model._counts.tolist(),
                "cost": float(squared.min(axis=1).sum()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
