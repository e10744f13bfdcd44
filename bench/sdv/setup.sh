#!/usr/bin/env bash
# SDV and SDMetrics without torch, in ~/.cache/understudy/sdv/venv (idempotent).
# SDV 1.35.1: from 1.38 on HMASynthesizer refuses a relationship depth above 2
# (four tables in a chain). HMA and its Gaussian copulas need no torch; ctgan and deepecho are
# installed without dependencies only because sdv imports them by name.
set -euo pipefail
VENV="${HOME}/.cache/understudy/sdv/venv"
if [ -x "${VENV}/bin/python" ] && "${VENV}/bin/python" -c 'import sdv, sdv.multi_table, sdmetrics.reports.multi_table; assert sdv.__version__ == "1.35.1"' 2>/dev/null; then
  exit 0
fi
python3 -m venv "${VENV}"
"${VENV}/bin/pip" install -q --no-deps 'sdv==1.35.1' 'sdmetrics==0.32.0' 'rdt<2' copulas ctgan deepecho
"${VENV}/bin/pip" install -q numpy 'pandas<3' scipy scikit-learn faker tqdm cloudpickle platformdirs pyyaml graphviz plotly boto3 botocore
"${VENV}/bin/python" -c 'import sdv.multi_table, sdmetrics.reports.multi_table'
