"""The scikit-learn side of benchmarks/models.mjs.

Reads a JSON request on stdin: {"data": path, "model": "kmeans" | "linear" | "logistic",
"batch_size": int, "runs": int, "warmup": int, "max_seconds": float, "k": int, "seed": int}. Streams the data set's
training rows in consecutive batches of batch_size through partial_fit (one pass per batch, as
millrace's trainOn sees them), then times predict over the same batches. Prints JSON: the run
times, the configuration used and the final model's parameters (so the JavaScript side scores
both libraries' models with one and the same evaluation code).
"""

import json
import sys
import time
import warnings

from dataset import read_dataset
from sklearn.cluster import MiniBatchKMeans
from sklearn.linear_model import SGDClassifier, SGDRegressor


def make_model(kind, request, features):
    seed = request["seed"]
    if kind == "kmeans":
        # The same start as millrace: the stream's first k points (n_init=1 with an explicit init).
        k = request["k"]
        return MiniBatchKMeans(n_clusters=k, init=features[:k], n_init=1, random_state=seed)
    if kind == "linear":
        # No intercept: the data has none and Spark's streaming linear models fit none.
        return SGDRegressor(fit_intercept=False, random_state=seed)
    if kind == "logistic":
        return SGDClassifier(loss="log_loss", fit_intercept=False, random_state=seed)
    raise ValueError(f"unknown model {kind!r}")


def batches_of(features, labels, batch_size):
    for start in range(0, features.shape[0], batch_size):
        yield features[start : start + batch_size], labels[start : start + batch_size]


def train_once(kind, request, features, labels):
    """One pass over the stream; returns (seconds, model). Slices are views: no copies timed."""
    model = make_model(kind, request, features)
    start = time.perf_counter()
    for x, y in batches_of(features, labels, request["batch_size"]):
        if kind == "kmeans":
            model.partial_fit(x)
        elif kind == "logistic":
            model.partial_fit(x, y, classes=[0.0, 1.0])
        else:
            model.partial_fit(x, y)
    return time.perf_counter() - start, model


def predict_once(model, features, batch_size):
    start = time.perf_counter()
    predicted = 0
    for begin in range(0, features.shape[0], batch_size):
        predicted += model.predict(features[begin : begin + batch_size]).shape[0]
    seconds = time.perf_counter() - start
    assert predicted == features.shape[0]
    return seconds


def parameters(kind, model):
    if kind == "kmeans":
        return {"centers": model.cluster_centers_.tolist()}
    coef = model.coef_.ravel()
    intercept = float(model.intercept_.ravel()[0]) if model.fit_intercept else 0.0
    return {"weights": coef.tolist(), "intercept": intercept}


def main():
    request = json.load(sys.stdin)
    kind = request["model"]
    header, arrays = read_dataset(request["data"])
    features, labels = arrays["features"], arrays["labels"]
    warmup, runs = request.get("warmup", 1), request["runs"]
    max_seconds = request.get("max_seconds", float("inf"))
    update_seconds, predict_seconds, model = [], [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        planned = runs
        for i in range(warmup + runs):
            if i >= warmup + planned:
                break
            seconds, model = train_once(kind, request, features, labels)
            if i >= warmup:
                update_seconds.append(seconds)
            elif seconds * runs > max_seconds:
                # Same rule as the JavaScript side: a slow row gets fewer runs, never under 2.
                planned = max(2, int(max_seconds // seconds))
        for i in range(warmup + len(update_seconds)):
            seconds = predict_once(model, features, request["batch_size"])
            if i >= warmup:
                predict_seconds.append(seconds)
    json.dump(
        {
            # What python read, for the JavaScript side to check against what it generated.
            "data_check": {
                "shape": list(features.shape),
                "first_row": features[0].tolist(),
                "last_row": features[-1].tolist(),
                "last_label": float(labels[-1]),
            },
            "points": int(features.shape[0]),
            "update_seconds": update_seconds,
            "predict_seconds": predict_seconds,
            "config": {"class": type(model).__name__, **{k: repr(v) for k, v in model.get_params().items()}},
            "final": parameters(kind, model),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
