"""Any bytes given to a reader either become documents or raise `Unreadable` with a reason: never
another exception, whatever the suffix or the declared media type claims."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.readers import READERS, Unreadable

REASONS = {"binary", "undecodable", "parse_error", "empty", "too_large"}
# Bytes with the look of each format, so that the readers' parsers are actually exercised.
PREFIXES = [b"", b"%PDF-1.4\n", b"<html><body><p>", b"\xef\xbb\xbf", b"\xff\xfe", b'{"text": "', b"\x00"]


@pytest.mark.parametrize("suffix", sorted(READERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=2000))
def test_readers_raise_only_unreadable(suffix, prefix, body):
    _content_type, read = READERS[suffix]
    try:
        documents = read(prefix + body)
    except Unreadable as error:
        assert error.reason in REASONS and error.detail
        return
    assert all(isinstance(d.text, str) for d in documents)
