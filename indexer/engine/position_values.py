"""Whoosh's `Positions` values decoded many at a time.

A value is the count of positions (a big-endian uint) and the list of position deltas,
pickled with protocol 2. Unpickling each value was most of the cost of a phrase on long
pages: a common word has a value in almost every document (100,000 calls of about 2.5 us
at 100k pages). Here the opcodes of all values are walked together, one opcode of every
value per numpy step, so the steps are as many as the longest list, not the postings.
Anything else than what Python's pickler writes for a list of ints falls back to
`pickle.loads`, value by value.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from pickle import loads

import numpy as np

COUNT_BYTES = 4
# The opening of every list: PROTO 2, EMPTY_LIST, BINPUT 0.
_OPENING = b"\x80\x02]q\x00"
_MARK, _APPEND, _APPENDS, _STOP = b"(", b"a", b"e", b"."
_INT1, _INT2, _INT4 = b"K", b"M", b"J"  # BININT1, BININT2, BININT: 1, 2 or 4 bytes follow
_OPCODE_LENGTHS = {_MARK: 1, _APPEND: 1, _APPENDS: 1, _STOP: 1, _INT1: 2, _INT2: 3, _INT4: 5}
_PADDING = 8  # so that reading an opcode's argument past the last value stays in the buffer


def decode_deltas(values: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(int32 count of each value, int64 deltas of all values one after the other)."""
    if not values:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    starts = np.cumsum(lengths) - lengths
    buffer = np.frombuffer(b"".join(values) + bytes(_PADDING), dtype=np.uint8)
    counts = _big_endian_uint(buffer, starts).astype(np.int32)
    found = _walked(buffer, starts + COUNT_BYTES, starts + lengths, counts)
    if found is None:
        return _unpickled(values)
    return counts, found


def _walked(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray,
            counts: np.ndarray) -> np.ndarray | None:
    opening = np.frombuffer(_OPENING, dtype=np.uint8)
    if (ends - starts < len(_OPENING) + 2).any() or not all(
            (buffer[starts + at] == byte).all() for at, byte in enumerate(opening)):
        return None
    lengths = np.zeros(256, dtype=np.int64)  # 0: an opcode this decoder does not know
    for opcode, length in _OPCODE_LENGTHS.items():
        lengths[opcode[0]] = length
    deltas = np.zeros(int(counts.sum()), dtype=np.int64)
    written = np.cumsum(counts) - counts  # where each value's next delta goes
    last = written + counts
    cursor = starts + len(_OPENING)
    active = np.flatnonzero(counts > 0)
    written, last, cursor, ends = written[active], last[active], cursor[active], ends[active]
    while len(cursor):
        if (cursor >= ends).any():
            return None
        opcode = buffer[cursor]
        step = lengths[opcode]
        if not step.all():
            return None
        argument = _argument(buffer, cursor, opcode)
        is_int = step > 1
        deltas[written[is_int]] = argument[is_int]
        written = written + is_int
        cursor = cursor + step
        going = written < last
        if not going.all():
            written, last, cursor, ends = (written[going], last[going], cursor[going],
                                           ends[going])
    return deltas


def _argument(buffer: np.ndarray, cursor: np.ndarray, opcode: np.ndarray) -> np.ndarray:
    """The integer after each BININT opcode (little-endian; BININT is signed)."""
    value = buffer[cursor + 1].astype(np.int64)
    wide = opcode != _INT1[0]
    if wide.any():
        value |= np.where(wide, buffer[cursor + 2].astype(np.int64) << 8, 0)
        widest = opcode == _INT4[0]
        if widest.any():
            high = (buffer[cursor + 3].astype(np.int64) << 16
                    | buffer[cursor + 4].astype(np.int64) << 24)
            value = np.where(widest, (value | high).astype(np.uint32).astype(np.int32), value)
    return value


def _big_endian_uint(buffer: np.ndarray, starts: np.ndarray) -> np.ndarray:
    value = np.zeros(len(starts), dtype=np.int64)
    for at in range(COUNT_BYTES):
        value = value << 8 | buffer[starts + at]
    return value


def _unpickled(values: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's `Positions.decode_positions`, without summing: a stripped STOP put back."""
    lists = [loads(value[COUNT_BYTES:] if value.endswith(_STOP)
                   else value[COUNT_BYTES:] + _STOP) for value in values]
    counts = np.fromiter(map(len, lists), np.int32, len(lists))
    return counts, np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
