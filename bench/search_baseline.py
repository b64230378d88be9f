"""Baselines of the bench's `search` scenario: faiss-cpu exact search (nq = 1) and numpy matrix-product search
(nq = 100), one thread, on the vectors the bench wrote.

The bench starts this script once and talks to it over stdin/stdout, one command a line, so its timed windows
interleave with the in-process search's:

    time faiss IP 1.0        -> "<CPU seconds per call> <wall seconds per call> <calls>"   (nq = 1, cycling the queries)
    time numpy L2 1.0        -> the same, nq = 100 per call
    time faiss-batch IP 1.0  -> faiss at nq = 100 (information)
    ids faiss IP 20          -> the top-k ids of the first 20 queries, space-separated (to check the answers agree)

Thread counts are pinned to one before numpy and faiss load (OMP/OpenBLAS/MKL variables, then threadpoolctl and
faiss.omp_set_num_threads), and the BLAS library that numpy uses is printed on start.
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import faiss  # noqa: E402
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402


def numpy_search(x, x_norms, q, k, metric):
    """Top k of every query row: one matrix product, then argpartition and a sort of the k kept."""
    scores = q @ x.T
    if metric == "L2":
        # ||x||^2 - 2 q.x ranks like the squared distance (||q||^2 is the same for every row of a query).
        scores = x_norms[None, :] - 2.0 * scores
    else:
        scores = -scores
    top = np.argpartition(scores, k, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(scores, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", required=True, help="little-endian f32 file, row after row")
    parser.add_argument("--queries", required=True, help="little-endian f32 file, row after row")
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    args = parser.parse_args()

    threadpool_limits(1)
    faiss.omp_set_num_threads(1)
    x = np.fromfile(args.rows, dtype="<f4").reshape(-1, args.dim)
    queries = np.fromfile(args.queries, dtype="<f4").reshape(-1, args.dim)
    x_norms = (x * x).sum(axis=1)
    indexes = {"IP": faiss.IndexFlatIP(args.dim), "L2": faiss.IndexFlatL2(args.dim)}
    for index in indexes.values():
        index.add(x)
    blas = ", ".join(
        f"{p['internal_api']} {p.get('version')} {p.get('architecture')} threads={p['num_threads']}"
        for p in threadpool_info()
    )
    print(
        f"ready numpy {np.__version__}, faiss {faiss.__version__} ({faiss.get_compile_options()}), {blas}",
        flush=True,
    )

    batches = [queries[i : i + args.batch] for i in range(0, len(queries) - args.batch + 1, args.batch)]
    calls = {
        "faiss": lambda metric, i: indexes[metric].search(queries[i % len(queries)][None, :], args.k),
        "faiss-batch": lambda metric, i: indexes[metric].search(batches[i % len(batches)], args.k),
        "numpy": lambda metric, i: numpy_search(x, x_norms, batches[i % len(batches)], args.k, metric),
    }
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "time":
            call, metric, seconds = calls[words[1]], words[2], float(words[3])
            call(metric, 0)  # warm-up
            n, start, cpu_start = 0, time.perf_counter(), time.process_time()
            while True:
                call(metric, n)
                n += 1
                elapsed = time.perf_counter() - start
                if elapsed >= seconds and n >= 3:
                    break
            cpu = time.process_time() - cpu_start
            print(f"{cpu / n} {elapsed / n} {n}", flush=True)
        elif words[0] == "ids":
            metric, n = words[2], int(words[3])
            if words[1] == "faiss":
                _, ids = indexes[metric].search(queries[:n], args.k)
            else:
                ids = numpy_search(x, x_norms, queries[:n], args.k, metric)
            print(" ".join(str(int(i)) for i in ids.reshape(-1)), flush=True)
        else:
            print(f"error unknown command {words[0]}", flush=True)


if __name__ == "__main__":
    main()
