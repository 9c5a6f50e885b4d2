import cProfile, pstats, time, sys
from pathlib import Path

def main():
    from tests.helpers import make_app, close_app
    from bench.queries import bench_queries
    app = make_app(Path("build"), query_workers=2)
    q = next(b for b in bench_queries() if b.name.startswith("01")).text
    c = app.test_client()
    h = {"Accept": "application/sparql-results+json"}
    for _ in range(200):
        r = c.post("/sparql", data={"query": q}, headers=h)
    assert r.headers.get("X-Cache") == "hit", (r.status, r.data[:300])
    n = 3000
    t = time.perf_counter()
    for _ in range(n):
        c.post("/sparql", data={"query": q}, headers=h)
    print("kept POST us/req", (time.perf_counter() - t) / n * 1e6)
    t = time.perf_counter()
    for _ in range(n):
        c.get("/healthz")
    print("healthz us/req", (time.perf_counter() - t) / n * 1e6)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(n):
        c.post("/sparql", data={"query": q}, headers=h)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumtime").print_stats("webapp|graph|flask/app|waitress", 45)
    close_app(app)

if __name__ == "__main__":
    main()
