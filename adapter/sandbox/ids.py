"""Belgian identifiers as ONSS sees them: check digits and the sandbox's own id allocator.

Written independently of ``adapter.core`` on purpose (reference §7).
"""

from __future__ import annotations

DIMONA_ID_MIN = 10**11
DIMONA_ID_MAX = 10**12 - 1
FIRST_SEQUENCE = 6_563_100_000


def dimona_id(sequence: int) -> int:
    """The 12-digit id for a 10-digit sequence: check = sequence mod 97 (reference §7.4)."""
    return sequence * 100 + sequence % 97


def is_dimona_id(value: int) -> bool:
    return DIMONA_ID_MIN <= value <= DIMONA_ID_MAX and value % 100 == (value // 100) % 97


def is_ssin(value: str) -> bool:
    """National register or BIS number: 97 - (first nine mod 97), with the 2000 variant."""
    if len(value) != 11 or not value.isdigit():
        return False
    base, check = int(value[:9]), int(value[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def is_noss(value: int) -> bool:
    """Definitive (9 digits) or provisional (10 digits) NOSS number: (N*100 + CC + 1) mod 97 = 0."""
    if not (100_006 <= value <= 199_999_934 or 5_000_000_120 <= value <= 5_999_999_989):
        return False
    base, check = divmod(value, 100)
    return check != 0 and (base * 100 + check + 1) % 97 == 0


def is_enterprise_number(value: str) -> bool:
    """CBE/KBO number: 10 digits starting with 0 or 1, check = 97 - (first eight mod 97)."""
    if len(value) != 10 or not value.isdigit() or value[0] not in "01":
        return False
    return int(value[8:]) == 97 - int(value[:8]) % 97


def normalise_enterprise_number(value: str) -> str:
    """Responses sometimes drop the leading zero (reference §8.4 #14): pad to 10 digits."""
    return value.zfill(10)


class IdAllocator:
    """Hands out increasing Dimona ids; resumes above the highest id a store already holds."""

    def __init__(self, highest_used: int | None = None) -> None:
        self._next = FIRST_SEQUENCE
        if highest_used is not None:
            self._next = max(self._next, highest_used // 100 + 1)

    def next_id(self) -> int:
        value = dimona_id(self._next)
        self._next += 1
        return value
