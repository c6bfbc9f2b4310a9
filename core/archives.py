"""A ZIP archive written member by member as it is read: never the whole archive in memory.

``zip_stream`` yields the archive's bytes as zipfile produces them. Its target is an unseekable
pipe, so zipfile writes each member's sizes after its data (a data descriptor), which every
unzip tool reads; at any moment only the chunk being copied and zipfile's small buffers are
held. A web response streams the chunks (``StreamingHttpResponse``), a command writes them to a file.
"""

import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

CHUNK_BYTES = 64 * 1024


class _Pipe:
    """A write-only, unseekable file: zipfile writes into it, ``zip_stream`` takes the bytes out."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(members: Iterable[tuple[str, Callable[[], BinaryIO]]]) -> Iterator[bytes]:
    """The ZIP of ``members`` (name, function opening its content), as a stream of byte chunks.

    Each member is opened only when its turn comes and copied in ``CHUNK_BYTES`` pieces.
    """
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, open_member in members:
            with open_member() as source, archive.open(name, "w") as target:
                while chunk := source.read(CHUNK_BYTES):
                    target.write(chunk)
                    if data := pipe.take():
                        yield data
            if data := pipe.take():
                yield data
    if data := pipe.take():
        yield data
