"""Who the seeker calls: the office's identity from envcheck-config.json beside the executable.

    {"server": "https://intake.example.jp",
     "office": {"name": "ハローワークプラザとまこまい マザーズコーナー", "phone": "0144-00-0000",
                "hours": "平日 9:00〜17:00", "booking_url": "https://…", "retention_days": 180}}

The same file names the intake service (find_config). Every message that tells the
seeker to contact someone names this office, its phone number and hours (docs/building.md).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

from envcheck.errors import UploadError

CONFIG_NAME = "envcheck-config.json"
_MAX = 200  # a config file is the office's, but a window line must stay a line


@dataclass(frozen=True)
class Office:
    name: str = ""
    phone: str = ""
    hours: str = ""
    booking_url: str = ""
    service_url: str = ""
    retention_days: int = 180

    def contact(self, lang: str) -> str:
        """'ハローワークプラザとまこまい（電話 0144-…、平日 9:00〜17:00）' or the generic desk."""
        ja = lang == "ja"
        name = self.name or ("ご利用のハローワークの窓口" if ja else "your employment office")
        extra = [x for x in ((("電話 " if ja else "phone ") + self.phone) if self.phone else "", self.hours) if x]
        if not extra:
            return name
        return f"{name}（{'、'.join(extra)}）" if ja else f"{name} ({', '.join(extra)})"


def config_paths() -> list[str]:
    """envcheck-config.json beside the executable (the one-file build) or the script that started us."""
    folders = (os.path.dirname(os.path.abspath(sys.executable)), os.path.dirname(os.path.abspath(sys.argv[0])))
    return [os.path.join(f, CONFIG_NAME) for f in folders]


def read_config() -> dict:
    """The first readable config file's JSON object, or {} (a broken file is reported when sending)."""
    for path in config_paths():
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def office_from(conf: dict) -> Office:
    o = conf["office"] if isinstance(conf.get("office"), dict) else {}

    def s(key: str) -> str:
        v = o.get(key)
        return v.strip()[:_MAX] if isinstance(v, str) else ""

    days = o.get("retention_days")
    server = conf["server"] if isinstance(conf.get("server"), str) else ""
    return Office(name=s("name"), phone=s("phone"), hours=s("hours"),
                  booking_url=s("booking_url") if s("booking_url").startswith("https://") else "",
                  service_url=s("service_url") or server[:_MAX],
                  retention_days=days if isinstance(days, int) and 0 < days < 10000 else 180)


def load_office() -> Office:
    return office_from(read_config())


@dataclass(frozen=True)
class ServerConfig:
    url: str
    ca_bundle: str | None = None
    """A CA certificate file for offices with their own CA; default: the OS trust store."""


def find_config(cli_url: str | None = None, ca_bundle: str | None = None) -> ServerConfig | None:
    """The service from --server, else ENVCHECK_SERVER, else envcheck-config.json beside the executable."""
    url = cli_url or os.environ.get("ENVCHECK_SERVER")
    file_conf: dict = {}
    for path in config_paths():
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    file_conf = json.load(fh)
            except (OSError, ValueError) as exc:
                raise UploadError(f"{path} is not readable JSON ({exc})", permanent=True, kind="config") from None
            break
    url = url or file_conf.get("server")
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise UploadError(f"server address must start with https:// (got {url[:60]!r})", permanent=True, kind="config")
    return ServerConfig(url=url.rstrip("/"), ca_bundle=ca_bundle or file_conf.get("ca_bundle"))
