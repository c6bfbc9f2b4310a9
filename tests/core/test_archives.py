"""The streamed ZIP: every member readable, written member by member, never whole in memory."""

import io
import os
import zipfile

from core import archives


def test_the_stream_is_a_zip_of_every_member():
    members = [("a.pdf", lambda: io.BytesIO(b"%PDF a")), ("b.pdf", lambda: io.BytesIO(b"%PDF b"))]

    archive = zipfile.ZipFile(io.BytesIO(b"".join(archives.zip_stream(members))))

    assert archive.testzip() is None
    assert [(name, archive.read(name)) for name in archive.namelist()] == [("a.pdf", b"%PDF a"), ("b.pdf", b"%PDF b")]


def test_a_member_is_opened_only_when_its_turn_comes():
    opened = []

    def opener(name):
        def open_member():
            opened.append(name)
            return io.BytesIO(os.urandom(200_000))

        return open_member

    stream = archives.zip_stream([("a.pdf", opener("a")), ("b.pdf", opener("b"))])
    next(stream)

    assert opened == ["a"]


def test_no_chunk_holds_more_than_a_piece_of_a_member():
    """Incompressible 2 MB: had the archive been built in memory, one chunk would carry all of it."""
    size = 2 * 1024 * 1024
    chunks = list(archives.zip_stream([("big.pdf", lambda: io.BytesIO(os.urandom(size)))]))

    assert len(chunks) > 10
    assert max(map(len, chunks)) < 4 * archives.CHUNK_BYTES
