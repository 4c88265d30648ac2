"""The rules that are data, not functions: each defined once, where every layer reads it.

The time zone (arshjul/timezone.py) and the Swedish labels of a stage's states
(models/cycle.py) were written in several modules once, and the copies disagreed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import arshjul
from arshjul.models.cycle import STAGE_STATE_SV, StageState
from arshjul.timezone import STOCKHOLM, TIMEZONE_NAME, now

PACKAGE = Path(arshjul.__file__).parent


def _sources() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def test_the_time_zone_is_stockholms_and_named_in_one_module() -> None:
    assert TIMEZONE_NAME == "Europe/Stockholm" and str(STOCKHOLM) == "Europe/Stockholm"
    moment = now()
    assert moment.tzinfo is STOCKHOLM
    assert abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    naming = [
        p.relative_to(PACKAGE) for p, text in _sources().items() if "Europe/Stockholm" in text
    ]
    # The prose of a docstring may name it; only timezone.py defines it.
    defining = [
        p
        for p, text in _sources().items()
        if re.search(
            r"""ZoneInfo\(\s*["']Europe/Stockholm["']|=\s*["']Europe/Stockholm["']""", text
        )
    ]
    assert [p.relative_to(PACKAGE) for p in defining] == [Path("timezone.py")], naming


def test_every_stage_state_has_one_swedish_label() -> None:
    assert set(STAGE_STATE_SV) == set(StageState)
    labels = list(STAGE_STATE_SV.values())
    assert len(set(labels)) == len(labels)
    assert STAGE_STATE_SV[StageState.PLANNED] == "planerat"
    assert STAGE_STATE_SV[StageState.DECIDED] == "beslutat"


def test_no_module_keeps_its_own_copy_of_the_state_labels() -> None:
    copies = [
        p.relative_to(PACKAGE)
        for p, text in _sources().items()
        if re.search(r"""["']klart att sammanställa["']""", text)
    ]
    assert copies == [Path("models/cycle.py")]
