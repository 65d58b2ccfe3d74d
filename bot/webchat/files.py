"""Files the bot sent on the web chat as bytes, kept on disk so the page can link to them."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"%PDF", ".pdf"))


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str
    mime_type: str


def safe_name(name: str | None, content: bytes, kind: str, mime_type: str | None) -> str:
    """A file name that is safe on disk and in a URL, with an extension the browser can use."""
    base = _UNSAFE.sub("_", (name or "").strip()).strip("._")[:120]
    if base and Path(base).suffix:
        return base
    suffix = next((ext for magic, ext in _SIGNATURES if content.startswith(magic)), None)
    if suffix is None and mime_type:
        suffix = mimetypes.guess_extension(mime_type)
    suffix = suffix or (".png" if kind == "photo" else ".bin")
    return (base or ("anh" if kind == "photo" else "tep")) + suffix


class FileStore:
    """`<root>/<message id>/<name>`: one folder per sent message, found again by its id."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, message_id: str, name: str, content: bytes) -> StoredFile:
        if not _ID.fullmatch(message_id):
            raise ValueError("bad message id")
        folder = self.root / message_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        return StoredFile(path, name, _mime(name))

    def find(self, message_id: str) -> StoredFile | None:
        """The file sent with this message, if any (the id comes from a URL: checked first)."""
        if not _ID.fullmatch(message_id):
            return None
        folder = self.root / message_id
        if not folder.is_dir():
            return None
        for path in sorted(folder.iterdir()):
            if path.is_file():
                return StoredFile(path, path.name, _mime(path.name))
        return None


def _mime(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
