"""Every check, declared once: id, article, decision codes, evidence shape, platforms, extract and
decide, and how the service judges it on a browser-check report.

The order is the report's order and must be `ruleset.loader.CHECK_IDS` (the rules loader, a lower
layer, validates rules files against those ids; this module refuses to load if the two differ).
tests/test_check_registry.py derives from these declarations what must exist elsewhere: a message
per code in rules/texts.toml (ja and en), a text per browser code in rules/mobile.toml, the
policy.toml entry, a replay fixture per platform, and the row in docs/rules.md. The steps to add
a check are in docs/architecture.md, "Adding a check".
"""

from __future__ import annotations

from envcheck.checks import browser, devices, p2p, protection, software, system
from envcheck.checks._base import Browser, Check, Codes, codes
from envcheck.checks._shape import NONE, Rows, Shape
from envcheck.ruleset.loader import CHECK_IDS

TEXT = (str, NONE)
COUNT = (int, NONE)
FLAG = (bool, NONE)

_OS = Shape((("os", str), ("name", str), ("product", str), ("version", TEXT)),
            (("build", (int, str, NONE)), ("revision", COUNT), ("edition", TEXT), ("rsr", str)))
_ITEM = Shape((("name", str), ("item", str), ("kind", str), ("ident", TEXT), ("version", TEXT)),
              (("exe", TEXT), ("handles", str), ("how", str)))
_FOUND = Shape((("found", Rows(_ITEM)), ("sources", dict)))
_ANTIVIRUS = Shape((("products", Rows(Shape((("name", str), ("state", str), ("up_to_date", FLAG),
                                              ("definitions", TEXT), ("threats", COUNT), ("source", str))))),),)
_ZOOM = Shape((("installs", Rows(Shape((("item", str), ("kind", str), ("ident", TEXT), ("version", TEXT))))),))
_DEVICES = Shape((("count", int), ("names", list)))



def _answered(no: str) -> Codes:
    """A question the job-seeker answers on the page (browser._answer): yes, no, or no answer."""
    return codes({"declared": "declared", "fail": no, "unknown": "not_answered"})


# Antivirus on the page: a PC is sent to the desktop program; iOS's own protection may be what the office accepts.
_PHONE_SECURITY = codes({"unknown": "desktop", "skipped": "builtin"})
# A camera or microphone as the /check page measured it (checks/browser.py).
_MEDIA = {"pass": "ok", "fail": "none", "unknown": "denied error"}

REGISTRY: tuple[Check, ...] = (
    Check("os.supported", "5(3), 12(4)", system.extract_supported, system.decide_supported,
          codes({"pass": "supported supported_lts supported_open", "warn": "ending_soon",
                 "fail": "ended older_than_listed", "unknown": "server not_in_rules support_unconfirmed"}),
          (_OS,),
          # A Mac on the page is judged by the desktop rules (system.decide_supported) from its version.
          browser=Browser(browser.decide_supported, codes({
              "pass": "supported supported_lts supported_open", "warn": "ending_soon",
              "fail": "ended older_than_listed",
              "unknown": "desktop unknown_version not_in_rules rules_stale server support_unconfirmed"}))),
    Check("os.patched", "5(3), 12(4)", system.extract_patched, system.decide_patched,
          codes({"pass": "current agent_current linux_current",
                 "warn": "update_available agent_pending_fresh lists_stale",
                 "fail": "behind security_pending no_recent_upgrade",
                 "unknown": "no_level not_in_rules rules_stale agent_pending restart_pending updates_paused "
                            "agent_unreadable agent_check_old managed no_upgrade_record pending_unknown"}),
          (Shape(_OS.keys + (("agent", dict),), _OS.optional),
           Shape((("os", str), ("name", str), ("last_upgrade", TEXT), ("lists_refreshed", TEXT),
                  ("pending_security", COUNT)), (("pending_unknown", str),))),
          browser=Browser(browser.decide_patched, codes({
              "pass": "current", "declared": "declared_current android_patch_declared",
              "fail": "behind not_updated android_patch_old", "unknown": "not_declared desktop"}))),
    Check("firewall.enabled", "5(4), 12(4)", protection.extract_firewall, protection.decide_firewall,
          codes({"pass": "on", "fail": "none off off_profiles", "unknown": "unreadable"}),
          (Shape((("firewalls", Rows(Shape((("name", str), ("on", FLAG), ("detail", dict), ("note", TEXT))))),)),),
          browser=Browser(browser.decide_firewall, codes({"skipped": "phone", "unknown": "desktop"}))),
    Check("p2p.absent", "5(5)", p2p.extract_p2p, p2p.decide_p2p,
          codes({"pass": "none", "warn": "dual_use", "fail": "found handler", "unknown": "partial"}),
          (_FOUND,),
          browser=Browser(browser.decide_p2p, _answered("present"))),
    Check("antivirus.active", "5(1), 5(6)", protection.extract_antivirus, protection.decide_antivirus,
          codes({"pass": "active", "fail": "threat none off", "unknown": "unlisted state_unknown"}),
          (_ANTIVIRUS,),
          browser=Browser(browser.decide_av_active, _answered("missing") + _PHONE_SECURITY)),
    Check("antivirus.updated", "5(6)", protection.extract_antivirus, protection.decide_updated,
          codes({"pass": "fresh fresh_flag", "fail": "old outdated_flag", "unknown": "unreadable",
                 "skipped": "no_antivirus"}),
          (_ANTIVIRUS,),
          browser=Browser(browser.decide_av_updated, _answered("outdated") + _PHONE_SECURITY)),
    Check("zoom.installed", "4, 12(4)", software.extract_zoom, software.decide_zoom_installed,
          codes({"pass": "installed installed_user", "fail": "missing"}),
          (_ZOOM,),
          browser=Browser(browser.decide_zoom_installed, _answered("missing"))),
    Check("zoom.updated", "12(4)", software.extract_zoom, software.decide_zoom_updated,
          codes({"pass": "current", "fail": "old", "unknown": "no_version", "skipped": "not_installed"}),
          (_ZOOM,),
          browser=Browser(browser.decide_zoom_updated, _answered("outdated"))),
    Check("browser.updated", "12(4)", software.extract_browsers, software.decide_browsers,
          codes({"pass": "current", "fail": "old", "unknown": "no_version", "skipped": "none"}),
          (Shape((("browsers", Rows(Shape((("name", str), ("item", str), ("version", TEXT))))),)),),
          browser=Browser(browser.decide_browser, codes({"pass": "current", "fail": "outdated",
                                                         "unknown": "not_in_rules"}))),
    Check("network.wifi", "5(2)", devices.extract_wifi, devices.decide_wifi,
          codes({"pass": "secured", "fail": "open wep", "unknown": "unreadable location_off", "skipped": "not_wifi"}),
          (Shape((("connected", bool), ("security", str), ("label", str), ("source", str))),
           Shape((("connected", bool), ("basis", str)))),
          on_unknown=devices.wifi_unknown,
          browser=Browser(browser.decide_wifi, codes({"declared": "declared_private declared_mobile",
                                                      "fail": "free_wifi", "unknown": "not_answered"}))),
    Check("network.reachable", "5(2), 12(4)", devices.extract_reach, devices.decide_reach,
          codes({"pass": "ok", "warn": "media_blocked", "fail": "blocked", "skipped": "offline"}),
          (Shape((("offline", bool),)),
           Shape((("targets", Rows(Shape((("name", str), ("host", str), ("port", int), ("ok", bool),
                                          ("ms", COUNT), ("error", TEXT))))),))),
          browser=Browser(browser.decide_reach, codes({"pass": "ok", "warn": "slow zoom_partial",
                                                       "fail": "zoom_blocked", "unknown": "not_measured"}))),
    Check("device.camera", "2(4)", devices.extract_devices("cameras"), devices.decide_device,
          codes({"pass": "present", "fail": "none"}),
          (_DEVICES,),
          browser=Browser(browser.decide_media, codes(_MEDIA))),
    Check("device.microphone", "2(4)", devices.extract_devices("microphones"), devices.decide_device,
          codes({"pass": "present", "fail": "none"}),
          (_DEVICES,),
          browser=Browser(browser.decide_microphone, codes({**_MEDIA, "unknown": "denied error silent"}))),
    Check("recording.absent", "12(2)", software.extract_recording, software.decide_recording,
          codes({"pass": "none", "fail": "found", "unknown": "partial"}),
          (_FOUND,),
          browser=Browser(browser.decide_recording, codes({"unknown": "browser_cannot_see"}))),
)

if tuple(c.id for c in REGISTRY) != CHECK_IDS:
    # Reports list checks in CHECK_IDS order and the rules are validated against it: one list, two views.
    raise ImportError(f"checks.registry declares {[c.id for c in REGISTRY]}, ruleset.loader.CHECK_IDS is "
                      f"{list(CHECK_IDS)}: they must name the same checks in the same order")

BY_ID = {c.id: c for c in REGISTRY}
