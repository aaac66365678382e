import cProfile
import pstats
import sys

from bench.harness import Services, portal_client, seeded_database

database = seeded_database(20000, 20000)
with Services() as redis_url:
    _app, client = portal_client(database, redis_url)
    for path in sys.argv[1:] or ["/overview", "/history/appointments"]:
        for _ in range(10):
            assert client.get(path).status_code == 200
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(50):
            client.get(path)
        pr.disable()
        st = pstats.Stats(pr)
        print("=====", path, st.total_tt / 50 * 1000, "ms")
        st.sort_stats("cumulative").print_stats("portal|jinja2/environment|templates", 25)
