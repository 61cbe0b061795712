"""DuckDB side of scripts/bench-stats.sh, and the million-row input both sides read.

  bench_stats.py make-million CTDC_2017_CSV OUT_CSV     sample 1,000,000 rows with seed 2017
  bench_stats.py duckdb-import CSV [RUNS]                median seconds of read_csv into a table
  bench_stats.py duckdb-crosstab CSV [RUNS]              median ms of the 3-variable GROUP BY

The cross-tab groups by citizenship, the exploitation types (the labels of the is* flags set to
1, joined with "; ", computed once into a column as antitrata does on import) and the year.
"""
import csv
import random
import statistics
import sys
import time

LABELS = [("isForcedLabour", "Forced labour"), ("isSexualExploit", "Sexual exploitation"),
          ("isOtherExploit", "Other exploitation"),
          ("isSexAndLabour", "Sexual exploitation and forced labour"),
          ("isForcedMarriage", "Forced marriage"), ("isForcedMilitary", "Forced military service"),
          ("isOrganRemoval", "Organ removal")]


def make_million(source, out):
    with open(source, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    rng = random.Random(2017)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for _ in range(1_000_000):
            writer.writerow(rows[rng.randrange(len(rows))])


def duckdb_import(path, runs):
    import duckdb
    times = []
    for _ in range(runs):
        con = duckdb.connect()
        start = time.perf_counter()
        con.execute(f"create table t as select * from read_csv('{path}', all_varchar = true)")
        times.append(time.perf_counter() - start)
        rows = con.execute("select count(*) from t").fetchone()[0]
        con.close()
    print(f"duckdb read_csv into a table: {rows} rows, median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs, {duckdb.__version__})")


def duckdb_crosstab(path, runs):
    import duckdb
    con = duckdb.connect()
    con.execute(f"create table t as select * from read_csv('{path}', all_varchar = true)")
    types = ", ".join(f"case when {flag} = '1' then '{label}' end" for flag, label in LABELS)
    con.execute(f"alter table t add column exploitationTypes varchar")
    con.execute(f"update t set exploitationTypes = nullif(concat_ws('; ', {types}), '')")
    query = ("select citizenship, exploitationTypes, yearOfRegistration, count(*) from t "
             "group by all")
    groups = len(con.execute(query).fetchall())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        con.execute(query).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    print(f"duckdb 3-variable GROUP BY: {groups} groups, median {statistics.median(times):.2f} ms "
          f"(min {min(times):.2f}, max {max(times):.2f}, {runs} runs, threads "
          f"{con.execute('select current_setting(' + chr(39) + 'threads' + chr(39) + ')').fetchone()[0]})")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make-million":
        make_million(sys.argv[2], sys.argv[3])
    elif command == "duckdb-import":
        duckdb_import(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    elif command == "duckdb-crosstab":
        duckdb_crosstab(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 50)
    else:
        sys.exit(f"unknown command {command}")
