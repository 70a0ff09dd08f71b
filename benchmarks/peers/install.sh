#!/usr/bin/env bash
# Installs the peers of the side-by-side benchmarks (k-means: FAISS, scikit-learn; exact search: FAISS; recommenders:
# PureSVD and iALS on numpy/scipy, which need OpenBLAS: the reference BLAS is ~7x slower) from Debian packages,
# for the system Python (/usr/bin/python3). Run as root (or via sudo).
set -euo pipefail
apt-get update
apt-get install -y python3-faiss libopenblas0-pthread python3-sklearn python3-numpy python3-scipy
/usr/bin/python3 -c 'import faiss, sklearn, numpy, scipy; print("faiss", faiss.__version__, "sklearn", sklearn.__version__, "numpy", numpy.__version__, "scipy", scipy.__version__)'
