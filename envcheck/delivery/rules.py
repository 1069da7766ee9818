"""The one rules chooser: `--rules DIR` as given, else the newest verified set, updated from the
office's service through the same HTTP session (proxy, trust store, timeouts) as uploads."""

from __future__ import annotations

from envcheck.delivery.upload import make_session
from envcheck.office import ServerConfig
from envcheck.ruleset.loader import load_rules
from envcheck.ruleset.update import RulesChoice, choose_rules


def rules_for(rules_dir: str | None, online: bool, config: ServerConfig | None = None) -> RulesChoice:
    """`--rules DIR` as given; else choose_rules with the intake service of `config` ."""
    if rules_dir:
        return RulesChoice(load_rules(rules_dir), "--rules", None, f"given on the command line: {rules_dir}")

    def session():
        return make_session(config)

    return choose_rules(online=online, server_url=config.url if config else None, session_factory=session,
                        ca_bundle=config.ca_bundle if config else None)
