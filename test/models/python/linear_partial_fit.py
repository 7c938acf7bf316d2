"""Reference run for test/models/linear-sklearn.test.ts.

Reads a JSON file {"task": "regression" | "classification", "seed": int,
"batches": [{"X": [[...]], "y": [...]}], "test": {"X": [[...]], "y": [...]}} and trains
scikit-learn's SGDRegressor (squared error) or SGDClassifier (log_loss) with partial_fit once per
batch, with scikit-learn's defaults except fit_intercept=False (the data has no intercept, and
Spark's streaming models fit none). Prints JSON: the scikit-learn version, the final weights and
the held-out RMSE (regression) or accuracy (classification).

Usage: /usr/bin/python3 linear_partial_fit.py INPUT.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import SGDClassifier, SGDRegressor


def main(path):
    with open(path) as handle:
        spec = json.load(handle)
    classify = spec["task"] == "classification"
    if classify:
        model = SGDClassifier(loss="log_loss", fit_intercept=False, random_state=spec["seed"])
    else:
        model = SGDRegressor(fit_intercept=False, random_state=spec["seed"])
    for batch in spec["batches"]:
        X = np.array(batch["X"], dtype=np.float64)
        y = np.array(batch["y"], dtype=np.float64)
        if classify:
            model.partial_fit(X, y, classes=np.array([0.0, 1.0]))
        else:
            model.partial_fit(X, y)
    X_test = np.array(spec["test"]["X"], dtype=np.float64)
    y_test = np.array(spec["test"]["y"], dtype=np.float64)
    predicted = model.predict(X_test)
    result = {"sklearnVersion": sklearn.__version__, "weights": np.ravel(model.coef_).tolist()}
    if classify:
        result["accuracy"] = float(np.mean(predicted == y_test))
    else:
        result["rmse"] = float(np.sqrt(np.mean((predicted - y_test) ** 2)))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
