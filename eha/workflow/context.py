"""What a guard or an effect is given: who fires, the data passed to ``fire`` and when."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class FireContext:
    trigger: str
    by: Any
    source: str
    dest: str
    data: dict = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    now: datetime | None = None
    config: Any = None
    # Facts a guard looked up (the meeting, the plan version) for the effects and the audit detail.
    found: dict = field(default_factory=dict)
    audit_detail: dict = field(default_factory=dict)
