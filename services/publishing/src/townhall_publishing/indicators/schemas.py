"""What the indicators API answers: publishing's public contract, in libs/contracts."""

from __future__ import annotations

from townhall_contracts.publishing.indicators import (
    AcknowledgementIndicator as AcknowledgementIndicator,
)
from townhall_contracts.publishing.indicators import Indicators as Indicators
from townhall_contracts.publishing.indicators import OfficialReach as OfficialReach

__all__ = ["AcknowledgementIndicator", "Indicators", "OfficialReach"]
