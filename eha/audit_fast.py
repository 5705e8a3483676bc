"""The hot path of ``flask audit verify`` (issue 14): checking a million links a second or so, in parallel.

``eha.audit`` walks the chain; this module is how it checks the links it streams. Each row of the links query
(``eha.audit.FAST_COLUMNS``, in that order) is a plain tuple, checked inline: the link is the next position and
follows the previous link, the event's own HMAC matches its content (the same bytes ``_canonical_own`` signs,
built from the row's columns as they are), and the link's HMAC matches its place. Nothing is decided here but
"sound": the first row that is not is handed back, and ``eha.audit`` says what is wrong with it, as before.

Because every link carries the previous link's hash, ranges of positions can be checked apart, each from its
own first link, and joined afterwards: range k is sound and joins range k-1 when its first link's previous hash
is k-1's last link's hash and it runs exactly from k-1's end + 1 to its own end. ``verify_ranges`` checks ranges
in worker processes (PostgreSQL; each with its own connection); a range that does not verify or join is walked
again in order by ``eha.audit``, which names the problem. So a tampered, removed, reordered or inserted event or
link is found whichever way the chain is checked.
"""

from __future__ import annotations

import hmac
import itertools
import json
import multiprocessing
import secrets

from psycopg.rows import tuple_row

EVENT_MARK = "eha-audit-event v2"
LINK_MARK = "eha-audit-link v1"
# The columns of a fast row, by index (``eha.audit.FAST_COLUMNS`` selects them in this order).
POSITION, LINK_PREV, LINK_KEY, LINK_HASH, EVENT_ID, SEQ, EVENT_PREV, EVENT_HASH, OCCURRED_AT = range(9)
SIGNED_FROM = OCCURRED_AT + 1  # then user_id … request_id, nonce, key_id: what an event signs after its time
NONCE, KEY_ID = -2, -1


def _no_default(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _make_encode():
    """``json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode`` for a flat list, without building
    an encoder on every call (what ``JSONEncoder.encode`` does): the same C encoder, made once."""
    from json import encoder

    plain = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    if encoder.c_make_encoder is None:  # no C speed-ups: the standard encoder, as slow as ever but the same
        return plain
    made = encoder.c_make_encoder(None, _no_default, encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(made(value, 0))


encode = _make_encode()


def own_message(row):
    """What the event in ``row`` signs: the bytes ``eha.audit._canonical_own`` builds from an event object."""
    signed = [EVENT_MARK, row[OCCURRED_AT].isoformat(timespec="microseconds"), *row[SIGNED_FROM:]]
    return encode(signed).encode()


def walk(rows, position, last_hash, key_bytes, remember=frozenset(), hashes=None):
    """Check ``rows`` (fast tuples in position order) as the links after ``position`` / ``last_hash``.

    Returns ``(position, last_hash, bad)``: the last sound position and its hash, and the first row that is not
    sound (None when all are). ``remember``ed positions' hashes go into ``hashes``."""
    digest = hmac.digest
    for row in rows:
        key = key_bytes.get(row[KEY_ID])
        link_key = key_bytes.get(row[LINK_KEY])
        if key is None or link_key is None or row[EVENT_ID] is None or row[EVENT_PREV] or not row[NONCE]:
            return position, last_hash, row
        if row[POSITION] != position + 1 or row[LINK_PREV] != last_hash:
            return position, last_hash, row
        own = digest(key, own_message(row), "sha256").hex()
        message = f"{LINK_MARK} {position + 1} {row[SEQ]} {own} {last_hash} {row[LINK_KEY]}".encode()
        if own != row[EVENT_HASH] or digest(link_key, message, "sha256").hex() != row[LINK_HASH]:
            return position, last_hash, row
        position, last_hash = position + 1, row[LINK_HASH]
        if remember and position in remember:
            hashes[position] = last_hash
    return position, last_hash, None


def stream(connection, sql, params, batch_size):
    """Rows of ``sql`` as plain tuples through a binary server-side cursor of the psycopg ``connection``."""
    with connection.cursor(name=f"eha_audit_{secrets.token_hex(4)}", binary=True, row_factory=tuple_row) as cursor:
        cursor.itersize = batch_size
        cursor.execute(sql, params)
        yield from cursor


def _check_range(task):
    """In a worker: check the links in ``(low, high]`` from the range's own first link. Returns ``(low, high,
    first_prev, position, last_hash, sound, hashes)``; ``sound`` is False at the first row that is not."""
    import psycopg

    conninfo, sql, key_bytes, low, high, remember, batch_size = task
    hashes = {}
    try:
        with psycopg.connect(conninfo) as connection:
            rows = stream(connection, sql, {"low": low, "high": high}, batch_size)
            first = next(rows, None)
            if first is None:
                return low, high, None, low, None, False, hashes
            first_prev = first[LINK_PREV]
            position, last_hash, bad = walk(
                itertools.chain([first], rows), low, first_prev, key_bytes, remember, hashes
            )
            return low, high, first_prev, position, last_hash, bad is None, hashes
    except Exception:  # the range is walked again in order, which reports what is wrong
        return low, high, None, low, None, False, hashes


def ranges(start, end, workers):
    """``(low, high]`` ranges splitting the positions after ``start`` up to ``end`` among ``workers``."""
    size = -(-(end - start) // workers)
    return [(low, min(low + size, end)) for low in range(start, end, size)]


def verify_ranges(conninfo, sql, key_bytes, start, end, *, workers, remember=frozenset(), batch_size=5000):
    """Check the links after ``start`` (position, hash) up to position ``end`` in ``workers`` processes.

    Returns ``(position, last_hash, hashes)``: how far the chain verified and joined, from the start, with the
    ``remember``ed positions' hashes up to there. The caller walks on from there in order (it finds the problem,
    if there is one, or the links written since ``end``)."""
    tasks = [
        (conninfo, sql, key_bytes, low, high, remember, batch_size) for low, high in ranges(start[0], end, workers)
    ]
    with multiprocessing.get_context("fork").Pool(len(tasks)) as pool:
        done = pool.map(_check_range, tasks, chunksize=1)
    position, last_hash = start
    hashes = {}
    for low, high, first_prev, reached, range_hash, sound, found in done:
        if low != position or first_prev != last_hash or not sound or reached != high:
            break
        position, last_hash = high, range_hash
        hashes.update(found)
    return position, last_hash, hashes
