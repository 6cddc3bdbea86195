"""Sibimtek. The factory lives in `app.factory`; importing this package stays light, so that
PDF worker processes (`app.pdf.layers`) load WeasyPrint without the web application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from config import Config


def create_app(config: str | type[Config] | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """See `app.factory.create_app`."""
    from app.factory import create_app as build

    return build(config, overrides)
