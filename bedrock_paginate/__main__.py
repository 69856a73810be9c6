"""``python -m bedrock_paginate``: the command line tool."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
