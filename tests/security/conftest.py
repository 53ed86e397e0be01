from __future__ import annotations

from tests.integration.fixtures import *  # noqa: F403
