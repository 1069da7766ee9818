"""Budget (issue 8): time an update check adds to `envcheck check` when the rules are current
(one timestamp fetch), median on loopback; aim < 50 ms.

Run: .venv/bin/python bench/rules_update.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from server_fixtures import Server, server_cli
from test_rules_update import new_rules

from envcheck.server import rulesrepo
from envcheck.ruleset.update import choose_rules
from envcheck.office import ServerConfig
from envcheck.delivery.upload import make_session


def main(n: int = 30) -> None:
    tmp = Path(tempfile.mkdtemp())
    (tmp / "office").mkdir()
    server = Server(str(tmp / "office"))  # the real intake service on 127.0.0.1
    server_cli(server.env, "rules", "init")
    repo, keys = tmp / "office" / "rules-repo", tmp / "office" / "rules-keys"
    rulesrepo.publish(str(repo), str(keys), str(new_rules(tmp, "2026.12.1", "2026-12-01")))
    cfg = ServerConfig(server.url)
    root = str(repo / "metadata" / "1.root.json")
    kw = dict(server_url=cfg.url, session_factory=lambda: make_session(cfg), config_root=root,
              cache=str(tmp / "cache"))
    choose_rules(online=True, **kw)  # first run downloads; the rest find the rules current
    online, offline = [], []
    for _ in range(n):
        t = time.perf_counter()
        assert choose_rules(online=True, **kw).source == "updated"
        online.append(time.perf_counter() - t)
        t = time.perf_counter()
        choose_rules(online=False, **kw)
        offline.append(time.perf_counter() - t)
    added = statistics.median(online) - statistics.median(offline)
    print(f"rules choice online (current, one timestamp fetch): median {statistics.median(online) * 1000:.1f} ms")
    print(f"rules choice offline (cache only):                 median {statistics.median(offline) * 1000:.1f} ms")
    print(f"time added by the update check (in process):       {added * 1000:.1f} ms (n={n})")

    import os
    import subprocess
    exe = str(Path(sys.executable).parent / "envcheck")
    env = dict(os.environ, ENVCHECK_HOME=str(tmp / "home"), ENVCHECK_RULES_ROOT=root)
    subprocess.run([exe, "rules", "--server", server.url], env=env, capture_output=True, check=True)

    def fresh(args):
        times = []
        for _ in range(10):
            t = time.perf_counter()
            subprocess.run([exe, *args], env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    on, off = fresh(["rules", "--server", server.url]), fresh(["rules", "--offline"])
    print(f"fresh process: `envcheck rules` online {on * 1000:.0f} ms, offline {off * 1000:.0f} ms, "
          f"added {(on - off) * 1000:.0f} ms (median of 10)")
    server.stop()


if __name__ == "__main__":
    main()
