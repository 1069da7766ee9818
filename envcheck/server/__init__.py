"""Reference intake service (the `server` extra): receives signed reports, re-judges them with
its own rules, stores them, answers eligibility and shows reports to counselors and support staff.

    >>> from envcheck.server.settings import Settings
    >>> from envcheck.server.app import create_app
    >>> app = create_app(Settings.from_env())      # an ASGI app; `envcheck-server run` serves it

The desktop checker never imports this package (it needs FastAPI, SQLAlchemy and Jinja2).
See docs/server.md.
"""
