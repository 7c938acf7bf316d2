"""Prints, as JSON, what the scikit-learn side runs with: versions and BLAS/OpenMP threads.

Never fails on a missing package: a missing scikit-learn is reported, not raised, so the
JavaScript side can say so in its tables and skip the scikit-learn rows.
"""

import json
import os
import platform
import sys

info = {"python": platform.python_version(), "executable": os.path.realpath(sys.executable)}
for name in ("numpy", "sklearn", "threadpoolctl"):
    try:
        module = __import__(name)
        info[name] = module.__version__
    except Exception as error:  # noqa: BLE001 - any import failure means "not available"
        info[name] = None
        info[f"{name}_error"] = f"{type(error).__name__}: {error}"

if info["numpy"] and info["sklearn"]:
    import numpy  # noqa: F401 - loads the BLAS that threadpoolctl then reports
    import sklearn.cluster  # noqa: F401 - loads the OpenMP runtime scikit-learn uses

    if info["threadpoolctl"]:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "architecture", "threading_layer", "filepath")}
            for pool in threadpool_info()
        ]
info["thread_env"] = {
    key: os.environ[key]
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    if key in os.environ
}
print(json.dumps(info))
