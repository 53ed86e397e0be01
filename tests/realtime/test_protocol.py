"""Client frames are parsed defensively: a bad frame is a ProtocolError with a reason, never a crash."""

from __future__ import annotations

import json

import pytest

from realtime import protocol
from realtime.protocol import ProtocolError, parse_client_frame


def test_a_valid_hello_parses():
    frame = parse_client_frame(json.dumps({"t": "hello", "v": 12, "regions": [{"name": "x", "params": {"a": "1"}}]}))
    assert frame["t"] == "hello" and frame["v"] == 12


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"t": "hello", "v": 1e400}', "finite"),
        ('{"t": "hello", "v": -1e400}', "finite"),
        ('{"t": "hello", "v": Infinity}', "Infinity"),
        ('{"t": "hello", "v": NaN}', "NaN"),
        ('{"t": "hello", "v": ' + "9" * 5000 + "}", "too long"),
        ("[" * 16_000 + "]" * 16_000, "nest"),
        ('{"t": "hello", "x": ' + "[" * 9 + "]" * 9 + "}", "nest"),
        ('{"t": "ping", "pad": "' + "x" * protocol.MAX_FRAME + '"}', "32 KB"),
        (None, "32 KB"),  # a bytes frame
        ("not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"v": 1}', "malformed"),
        ('{"t": 5}', "malformed"),
        ("", "malformed"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(text, reason):
    with pytest.raises(ProtocolError, match=reason):
        parse_client_frame(text)


def test_brackets_inside_strings_do_not_count_as_nesting():
    frame = parse_client_frame(json.dumps({"t": "ping", "note": "[[[[[[[[[[{{{{{{{{{{" + '\\"[[[['}))
    assert frame["t"] == "ping"


@pytest.mark.parametrize(
    ("value", "version"),
    [(12, 12), ("12", 12), (12.9, 12), (-5, 0), (None, 0), ("abc", 0), ([1], 0), (True, 0),
     (2**80, protocol.MAX_VERSION), (1.5e300, protocol.MAX_VERSION)],
)
def test_the_claimed_version_is_clamped_to_a_64_bit_count(value, version):
    assert protocol.client_version(value) == version
