"""Rendering the staff pages: the Jinja2 environment, bounded values, the page language and render().

Report content is attacker-controlled: templates autoescape everything, nothing is marked safe,
long strings are clipped and nested evidence is depth-limited before it is rendered. Every page
module (web, seekers, support, webauth) renders through here, so none of them imports another.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from envcheck.server.i18n import ACTIONS, LANGS, in_words, local_time, long_date, translator

if TYPE_CHECKING:
    from envcheck.server.webauth import Viewer

MAX_DEPTH = 5
MAX_TEXT = 300
MAX_ITEMS = 60


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
                      autoescape=True, auto_reload=False)
    env.filters["clip"] = clip
    env.globals["local_time"] = local_time
    return env


def clip(value, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else f"{text[:limit]}… (+{len(text) - limit})"


def bounded(node, depth: int = 0):
    """A copy of JSON data that is at most MAX_DEPTH deep, MAX_ITEMS wide, strings clipped."""
    if depth >= MAX_DEPTH and isinstance(node, (dict, list)):
        return f"… ({type(node).__name__} nested deeper than {MAX_DEPTH})"
    if isinstance(node, dict):
        items = list(node.items())
        out = {clip(k, 80): bounded(v, depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["…"] = f"{len(items) - MAX_ITEMS} more"
        return out
    if isinstance(node, list):
        kept = [bounded(v, depth + 1) for v in node[:MAX_ITEMS]]
        return kept + [f"… {len(node) - MAX_ITEMS} more"] if len(node) > MAX_ITEMS else kept
    if isinstance(node, str):
        return clip(node)
    return node


def pretty(node) -> str:
    return json.dumps(bounded(node), ensure_ascii=False, indent=2)


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get("lang")
    return cookie if cookie is not None and cookie in LANGS else "ja"


def render(request: Request, name: str, ctx: dict, viewer: Viewer | None, status: int = 200) -> HTMLResponse:
    lang = language(request)
    other = "en" if lang == "ja" else "ja"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    page = request.app.state.envcheck.templates.get_template(name).render(
        **ctx, t=translator(lang), lang=lang, other_lang=other, user=viewer, csrf=viewer.csrf if viewer else "",
        ld=lambda when: long_date(when, lang), action_name=lambda code: in_words(ACTIONS, lang, code),
        lang_url=f"/{request.url.path.lstrip('/')}?{urlencode(params)}")  # never //other-host
    resp = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("lang", lang, httponly=True, samesite="lax", path="/", max_age=365 * 86400,
                        secure=request.url.scheme == "https")
    return resp


def page_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The `before=` value the list pages write into their "next page" links ("<aware ISO time>_<row id>"),
    or None for anything else (a crafted value shows the first page instead of reaching the store)."""
    try:
        b_at, b_id = (text or "").split("_", 1)
        at = datetime.fromisoformat(b_at[:40])
        row = int(b_id)
    except ValueError:
        return None
    return (at, row) if at.tzinfo is not None and 0 < row < 2 ** 31 else None
