"""SDV's HMASynthesizer on the clinic tables, and SDMetrics' quality report of any synthetic set.

Called by bench/sdv-compare.ts, which writes the real tables as CSV and the
metadata as JSON:

  python compare.py hma   <real-dir> <metadata.json> <out-dir>   -> prints {"fitSeconds", "sampleSeconds"}
  python compare.py score <real-dir> <metadata.json> <synth-dir> -> prints the report's scores as JSON

The venv is ~/.cache/understudy/sdv/venv (bench/sdv/setup.sh): SDV without torch
(HMA and its Gaussian copulas need none).
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")


def load(directory, metadata):
    tables = {}
    for name, table in metadata["tables"].items():
        dates = [c for c, m in table["columns"].items() if m["sdtype"] == "datetime"]
        df = pd.read_csv(f"{directory}/{name}.csv", parse_dates=dates)
        # Keys as strings on both sides: SDMetrics joins them, and SDV gives ids of its own format.
        for column, m in table["columns"].items():
            if m["sdtype"] == "id":
                # SDV writes ids like 'sdv-id-…'; Understudy and production write integers (read as floats when a column has NULLs).
                numeric = pd.to_numeric(df[column], errors="coerce")
                as_text = numeric.astype("Int64").astype(str) if numeric.notna().sum() == df[column].notna().sum() else df[column].astype(str)
                df[column] = as_text.where(df[column].notna(), None)
        tables[name] = df
    return tables


def run_hma(real_dir, metadata_path, out_dir):
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    with open(metadata_path) as f:
        raw = json.load(f)
    data = load(real_dir, raw)
    metadata = Metadata.load_from_dict(raw)
    synthesizer = HMASynthesizer(metadata, verbose=False)
    started, cpu = time.perf_counter(), time.process_time()
    synthesizer.fit(data)
    fitted = time.perf_counter()
    synthetic = synthesizer.sample(scale=1.0)
    sampled = time.perf_counter()
    cpu = time.process_time() - cpu
    for name, df in synthetic.items():
        df.to_csv(f"{out_dir}/{name}.csv", index=False)
    print(json.dumps({"fitSeconds": fitted - started, "sampleSeconds": sampled - fitted, "cpuSeconds": cpu}))


def pair_details(report, pairs):
    """Scores of named column pairs (table, a, b) from the Column Pair Trends details."""
    out = {}
    details = report.get_details("Column Pair Trends")
    for table, a, b in pairs:
        rows = details[(details["Table"] == table) & (((details["Column 1"] == a) & (details["Column 2"] == b)) | ((details["Column 1"] == b) & (details["Column 2"] == a)))]
        out[f"{table}.{a}~{b}"] = None if rows.empty else float(rows["Score"].iloc[0])
    return out


def score(real_dir, metadata_path, synth_dir):
    from sdmetrics.reports.multi_table import QualityReport

    with open(metadata_path) as f:
        raw = json.load(f)
    real = load(real_dir, raw)
    synthetic = load(synth_dir, raw)
    report = QualityReport()
    report.generate(real, synthetic, raw, verbose=False)
    properties = {row["Property"]: float(row["Score"]) for _, row in report.get_properties().iterrows()}
    cardinality = report.get_details("Cardinality")
    per_relationship = {f"{r['Parent Table']}->{r['Child Table']}": float(r["Score"]) for _, r in cardinality.iterrows()}
    pairs = pair_details(report, [("prescriptions", "drug", "refills"), ("visits", "minutes", "cost"), ("doctors", "years", "rate")])
    # A property with nothing to measure is NaN, which JSON cannot carry: null.
    clean = lambda v: None if isinstance(v, float) and v != v else v  # noqa: E731
    properties = {k: clean(v) for k, v in properties.items()}
    print(json.dumps({"overall": clean(float(report.get_score())), "properties": properties, "cardinality": per_relationship, "pairs": pairs}))


if __name__ == "__main__":
    mode, real_dir, metadata_path, other = sys.argv[1:5]
    if mode == "hma":
        run_hma(real_dir, metadata_path, other)
    else:
        score(real_dir, metadata_path, other)
