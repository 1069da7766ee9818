"""The rules set (rules/*.toml, shipped as envcheck.rules): loaded and validated whole (loader,
mobile), and replaced only by a verified TUF update (update)."""
