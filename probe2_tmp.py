from pathlib import Path
def main():
    from tests.helpers import make_app, close_app
    from bench.queries import bench_queries
    app = make_app(Path("build"), query_workers=2)
    q = next(b for b in bench_queries() if b.name.startswith("01")).text
    c = app.test_client()
    h = {"Accept": "application/sparql-results+json"}
    for i in range(5):
        r = c.post("/sparql", data={"query": q}, headers=h)
        print(r.status, r.headers.get("X-Cache"), r.headers.get("X-Query-Seconds"), len(r.data))
    from webapp.resources import resources
    p = resources(app).executor
    print(p._spent_total)
    close_app(app)
if __name__ == "__main__":
    main()
