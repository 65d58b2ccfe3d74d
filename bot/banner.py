"""What `nhacviec run` prints once it is serving: what runs, where, how to connect a platform."""

from __future__ import annotations

from collections.abc import Sequence

from texts import t

RULE = "=" * 72


def _both(key: str, **params: object) -> list[str]:
    """A line in Vietnamese, then the same in English."""
    return [t(key, **params), t(f"{key}.en", **params)]


def _connect_lines() -> list[str]:
    return [
        *_both("run.banner.connect"),
        t("run.banner.env_telegram"),
        t("run.banner.env_username"),
        t("run.banner.env_zalo"),
        t("run.banner.env_web"),
    ]


def demo_banner(*, url: str, plan: str, db: str, names: Sequence[str], today: str) -> str:
    lines = [
        RULE,
        *_both("run.banner.demo"),
        RULE,
        *_both(
            "run.banner.demo_what",
            plan=plan,
            db=db,
            people=len(names),
            names=", ".join(names),
            today=today,
        ),
        "",
        *_both("run.banner.open", url=url),
        "",
        *_both("run.banner.try"),
        "",
        *_connect_lines(),
        "",
        *_both("run.banner.stop"),
        RULE,
    ]
    return "\n".join(lines)


def live_banner(*, telegram: str | None, web_url: str | None) -> str:
    lines = [RULE, *_both("run.banner.live"), RULE]
    if telegram:
        lines += _both("run.banner.telegram", mode=telegram)
    if web_url:
        lines += _both("run.banner.web", url=web_url)
    else:
        lines += _both("run.banner.no_web")
    lines += ["", *_both("run.banner.stop"), RULE]
    return "\n".join(lines)
