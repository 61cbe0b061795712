"""Python side of scripts/bench-synth.sh: the generated input, the reference synthesizers, and one
evaluation applied to every output alike.

  bench_synth.py make-table OUT_CSV [ROWS] [SEED]     the 50,000 x 10 table (CTDC columns)
  bench_synth.py run TOOL IN_CSV OUT_CSV EPSILON COLS  TOOL: pacsynth | mst | aim
  bench_synth.py evaluate IN_CSV OUT_CSV COLS K LENGTH TRIPLES
                                                       one JSON line of metrics: combinations of
                                                       up to LENGTH values, at most TRIPLES 3-way
                                                       marginals (spread evenly over all)
  bench_synth.py kanon-check CSV QIS K                 pycanon's k over the quasi-identifiers

COLS and QIS are comma-separated column names. Missing values are CTDC's -99 and count as a
value of their own in the marginals (as antitrata's domains do), but not in the combinations of
the SDS metrics (SDS leaves empty cells out of combinations).

The generated table is a Bayesian network over ten CTDC variables with the skew of hotline data:
a Zipf-like spread of citizenships, most victims exploited at home or in one of a few destination
countries, a gender/exploitation/age dependence, majority status following the age band, means
of control following the exploitation type, and missing values where hotlines often lack them.
"""
import csv
import itertools
import json
import sys
import time

COLUMNS = ["yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
           "citizenship", "CountryOfExploitation", "isSexualExploit", "isForcedLabour",
           "meansOfControlDebtBondage"]
MISSING = "-99"


def make_table(out, rows=50_000, seed=7):
    import numpy as np
    rng = np.random.default_rng(seed)

    def pick(values, weights, n=None):
        weights = np.asarray(weights, dtype=float)
        return rng.choice(values, size=n, p=weights / weights.sum())

    years = [str(y) for y in range(2008, 2018)]
    citizenships = ["GT", "HN", "SV", "MX", "NI", "CR", "PA", "BZ", "DO", "US", "CA", "CO", "VE",
                    "EC", "PE", "HT", "CU", "PH", "CN", "IN", "NG", "UA", "RO", "TH", "VN"]
    zipf = [1 / (i + 1) ** 1.1 for i in range(len(citizenships))]
    destinations = ["US", "MX", "GT", "CR", "PA", "CA"]
    ages = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
    sexual_ages = [1, 30, 20, 15, 11, 8, 9, 4, 2]
    labour_ages = [1, 10, 10, 12, 12, 12, 22, 14, 7]
    table = []
    for _ in range(rows):
        year_index = int(pick(range(len(years)), [1 + i * i for i in range(len(years))]))
        year = years[year_index]
        source = "Hotline" if rng.random() < 0.25 + 0.05 * year_index else "Case Management"
        gender = str(pick(["Female", "Male", "Transgender/NonConforming", MISSING],
                          [68, 29, 1, 2]))
        sexual = rng.random() < (0.72 if gender == "Female" else 0.18)
        labour = (not sexual and rng.random() < 0.9) or (sexual and rng.random() < 0.05)
        if rng.random() < 0.35:
            age = MISSING
        else:
            age = str(pick(ages, sexual_ages if sexual else labour_ages))
        if age == MISSING:
            majority = str(pick(["Adult", "Minor", MISSING], [55, 15, 30]))
        else:
            majority = "Minor" if age in ("0--8", "9--17") else "Adult"
        citizenship = str(pick(citizenships, zipf)) if rng.random() > 0.04 else MISSING
        if citizenship != MISSING and rng.random() < 0.55:
            exploitation = citizenship
        else:
            exploitation = str(pick(destinations, [40, 25, 10, 8, 7, 10]))
        debt = MISSING if rng.random() < 0.3 else ("1" if rng.random() < (0.45 if labour else 0.15)
                                                    else "0")
        table.append([year, source, gender, age, majority, citizenship, exploitation,
                      "1" if sexual else "0", "1" if labour else "0", debt])
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(table)


def read(path, columns):
    """The columns of a CTDC file, with missing values and unknown countries written as
    antitrata's importer normalizes them, so the files of every tool compare alike."""
    import pandas as pd
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[columns].replace({"": MISSING})
    for country in ("citizenship", "CountryOfExploitation"):
        if country in frame:
            frame[country] = frame[country].replace(
                {"Missing": MISSING, "00": "ZZ", "0": "ZZ", "Unknown": "ZZ"})
    return frame


def run(tool, source, out, epsilon, columns):
    frame = read(source, columns)
    epsilon = float(epsilon)
    if tool == "pacsynth":
        import pacsynth
        # SDS's DP aggregate-seeded synthesizer at its defaults (reporting length 3), with the
        # whole budget; empty values are SDS's "absent", so -99 goes in as "".
        data = [list(frame.columns)] + frame.replace({MISSING: ""}).values.tolist()
        params = (pacsynth.DpAggregateSeededParametersBuilder()
                  .reporting_length(3).epsilon(epsilon).build())
        synth = pacsynth.DpAggregateSeededSynthesizer(params)
        flags = [c for c in frame.columns if c.startswith(("is", "meansOfControl"))]
        synth.fit(pacsynth.Dataset(data, sensitive_zeros=flags))
        rows = synth.sample()
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(rows[0])
            writer.writerows([[v if v != "" else MISSING for v in row] for row in rows[1:]])
        return
    from snsynth import Synthesizer
    synth = Synthesizer.create(tool, epsilon=epsilon, verbose=False)
    # The whole budget goes to the synthesizer: the categories are the table's own (smartnoise
    # infers them without spending ε when preprocessor_eps is 0, as the reference figures did).
    synth.fit(frame, categorical_columns=list(frame.columns), preprocessor_eps=0.0)
    synth.sample(len(frame)).to_csv(out, index=False)


def counts(frame, subset):
    return frame.groupby(list(subset), sort=False).size()


def tvd(a, b):
    shares_a = a / a.sum()
    shares_b = b / b.sum()
    joined = shares_a.to_frame("a").join(shares_b.to_frame("b"), how="outer").fillna(0)
    return float((joined["a"] - joined["b"]).abs().sum() / 2)


def combination_counts(frame, length):
    """SDS's aggregates: every combination of up to `length` non-empty attribute values."""
    result = {}
    names = list(frame.columns)
    for row in frame.itertuples(index=False):
        present = [(names[i], v) for i, v in enumerate(row) if v != MISSING]
        for size in range(1, length + 1):
            for combination in itertools.combinations(present, size):
                result[combination] = result.get(combination, 0) + 1
    return result


def evaluate(source, out, columns, k, length, max_triples):
    k, length, max_triples = int(k), int(length), int(max_triples)
    truth = read(source, columns)
    synthetic = read(out, columns)
    result = {"input_rows": len(truth), "output_rows": len(synthetic)}
    for size in (1, 2, 3):
        subsets = list(itertools.combinations(columns, size))
        if size == 3:
            subsets = subsets[::-(-len(subsets) // max_triples)]
        distances = [tvd(counts(truth, s), counts(synthetic, s)) for s in subsets]
        result[f"tvd_{size}"] = sum(distances) / len(distances)
        result[f"tvd_{size}_max"] = max(distances)
    sensitive = combination_counts(truth, length)
    released = combination_counts(synthetic, length)
    scale = len(truth) / max(len(synthetic), 1)
    common = [c for c, n in sensitive.items() if n >= k]
    result["suppressed_pct"] = 100 * sum(1 for c in common if c not in released) / len(common)
    result["fabricated_pct"] = 100 * sum(1 for c in released if c not in sensitive) / max(
        len(released), 1)
    union = set(common) | set(released)
    result["combination_mae"] = sum(abs(sensitive.get(c, 0) - released.get(c, 0) * scale)
                                    for c in union) / len(union)
    rare = [c for c, n in sensitive.items() if n < k]
    result["rare_released_pct"] = 100 * sum(1 for c in rare if c in released) / max(len(rare), 1)
    return result


def kanon_check(path, qis, k):
    import pandas as pd
    from pycanon import anonymity
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    achieved = anonymity.k_anonymity(frame, qis)
    print(json.dumps({"pycanon_k": int(achieved), "required_k": int(k),
                      "holds": int(achieved) >= int(k)}))


def main(argv):
    command = argv[1]
    if command == "make-table":
        make_table(argv[2], *(int(a) for a in argv[3:5]))
    elif command == "run":
        started = time.monotonic()
        run(argv[2], argv[3], argv[4], argv[5], argv[6].split(","))
        print(f"synthesis seconds {time.monotonic() - started:.1f}", file=sys.stderr)
    elif command == "evaluate":
        print(json.dumps(evaluate(argv[2], argv[3], argv[4].split(","), *argv[5:8])))
    elif command == "kanon-check":
        kanon_check(argv[2], argv[3].split(","), argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
