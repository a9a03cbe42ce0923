"""What kind of bytes a file holds, and their text as UTF-8 that DuckDB can read.

DuckDB reads UTF-8 only here (no `encodings` extension offline), so other encodings are decoded in Python,
chunk by chunk, into a UTF-8 copy. A pass over the bytes also counts what the CSV reader must know: quote
marks (an odd count means an unterminated quote), NUL bytes, line ends, and where the blank lines are.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from ..errors import ImportFailure

CHUNK = 1 << 22
HEAD = 1 << 20
# A file whose head is more than this share NUL bytes (and is not UTF-16) is binary, not text.
BINARY_NUL_SHARE = 0.01
# Decoding may replace at most this many bad bytes (or this share of lines) before the file is refused.
MAX_BAD_BYTES = 1000
MAX_BAD_SHARE = 0.01

_SIGNATURES = (
    (b"\x1f\x8b", "这是 gzip 压缩文件，请先解压再导入", "a gzip-compressed file; decompress it first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV",
     "legacy .xls is not supported; save as .xlsx or CSV"),
    (b"%PDF", "这是 PDF 文件，不是 CSV 或 xlsx", "a PDF file, not CSV or xlsx"),
    (b"\x89PNG", "这是图片文件，不是 CSV 或 xlsx", "an image, not CSV or xlsx"),
    (b"\xff\xd8\xff", "这是图片文件，不是 CSV 或 xlsx", "an image, not CSV or xlsx"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩文件，请先解压再导入", "a 7z archive; extract it first"),
    (b"Rar!", "这是 RAR 压缩文件，请先解压再导入", "a RAR archive; extract it first"),
    (b"SQLite format 3\x00", "这是 SQLite 数据库文件，不是 CSV 或 xlsx", "an SQLite database, not CSV or xlsx"),
)


@dataclass(frozen=True)
class Encoding:
    """How a text file is encoded: a label for people, a Python codec, and the BOM length to skip."""

    label: str
    codec: str
    bom: int = 0

    @property
    def utf8(self) -> bool:
        """True when the bytes after the BOM are UTF-8 already (DuckDB can read them as they are)."""
        return self.codec == "utf-8"


@dataclass
class Facts:
    """What one pass over a file's bytes found: its sha256 and the counts the CSV reader needs."""

    sha256: str = ""
    size: int = 0
    quotes: int = 0
    nuls: int = 0
    newlines: int = 0
    carriage_returns: int = 0
    crlf: int = 0
    ends_with_newline: bool = True

    @property
    def lone_crs(self) -> int:
        """CRs not followed by LF (old Mac line ends, stray CRs): the body must be repaired before reading."""
        return self.carriage_returns - self.crlf

    @property
    def lines(self) -> int:
        """Physical lines in the file."""
        return self.newlines + (0 if self.ends_with_newline or not self.size else 1)


_BLANK = re.compile(rb"\n(?=\r?\n)")


class Counter:
    """Counts over bytes fed in chunks (sha256 optional): quotes, NULs, LF, CR and CRLF."""

    def __init__(self, digest: bool = True) -> None:
        self.facts = Facts()
        self._sha = hashlib.sha256() if digest else None
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        """Account for the next chunk."""
        if not chunk:
            return
        f = self.facts
        if self._sha is not None:
            self._sha.update(chunk)
        f.size += len(chunk)
        # A membership test (memchr) costs a fraction of a count: count only what is there.
        f.quotes += chunk.count(b'"') if b'"' in chunk else 0
        f.nuls += chunk.count(b"\x00") if b"\x00" in chunk else 0
        lf = chunk.count(b"\n")
        f.newlines += lf
        cr = chunk.count(b"\r") if b"\r" in chunk else 0
        f.carriage_returns += cr
        if cr == lf and self._last != b"\r":
            # As many CRs as LFs: CRLF line ends (counting the pairs costs as much again). Were it not so,
            # the record count DuckDB reads would not match the line count, and Python's reader takes over.
            f.crlf += cr
        elif cr or self._last == b"\r":
            f.crlf += (self._last + chunk).count(b"\r\n")
        self._last = chunk[-1:]

    def finish(self) -> Facts:
        """The facts, once the last chunk is in."""
        self.facts.ends_with_newline = self._last in (b"\n", b"")
        if self._sha is not None:
            self.facts.sha256 = self._sha.hexdigest()
        return self.facts


def blank_lines(path: Path) -> list[int]:
    """1-based numbers of the empty lines (or lone CR) of a UTF-8 file: a second pass, only needed when
    the records DuckDB read and the lines of the file disagree."""
    found: list[int] = []
    newlines = 0
    tail = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            if newlines == 0 and not tail and chunk.startswith((b"\n", b"\r\n")):
                found.append(1)
            buf = tail + chunk
            counted, pos = newlines - tail.count(b"\n"), 0
            for m in _BLANK.finditer(buf):
                counted += buf.count(b"\n", pos, m.start() + 1)
                pos = m.start() + 1
                if not found or counted + 1 > found[-1]:
                    found.append(counted + 1)
            newlines += chunk.count(b"\n")
            tail = buf[-2:]
    return found


def sniff_binary(head: bytes, where: str) -> None:
    """ImportFailure when the head of a file shows it is not a text export (zip/xlsx is handled elsewhere)."""
    if not head.strip():
        raise ImportFailure("文件为空", "the file is empty", where)
    for magic, zh, en in _SIGNATURES:
        if head.startswith(magic):
            raise ImportFailure(zh, en, where)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the head looks like UTF-16 text without a BOM, else None."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd > 0.3 and zero_even < 0.05:
        return "utf-16-le"
    if zero_even > 0.3 and zero_odd < 0.05:
        return "utf-16-be"
    return None


def _decodes(head: bytes, codec: str) -> bool:
    """True when head decodes strictly in codec (a character cut at the end of head is allowed)."""
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(head, final=False)
        return True
    except UnicodeDecodeError:
        return False


_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")
# GB18030 writes characters outside GBK (rare characters of names such as 䶮 or 𠮷) as four bytes:
# high, digit, high, digit. Western text almost never has that shape.
_GB18030_FOUR = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _single_byte_western(head: bytes) -> bool:
    """True when the non-ASCII bytes look like a Western single-byte encoding (cp1252/Latin-1), not GBK.

    GBK and GB18030 write every Chinese character as two (or four) bytes, so their runs of bytes ≥ 0x80
    have even lengths; accented Latin letters are single bytes between ASCII letters: odd runs.
    """
    # A four-byte GB18030 character counts as one even run, as a two-byte one does (not as two odd runs).
    runs = [len(m.group()) for m in _HIGH_RUNS.finditer(_GB18030_FOUR.sub(b"\xa1\xa1", head))]
    odd = sum(1 for n in runs if n % 2)
    return len(runs) >= 3 and odd > 0.3 * len(runs)


def detect(head: bytes, where: str) -> Encoding:
    """The encoding of a text export from its first bytes: BOM, UTF-16 without BOM, UTF-8, GB18030, or a
    Western single-byte encoding when the bytes say so."""
    sniff_binary(head, where)
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("UTF-8 (BOM)", "utf-8", 3)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("UTF-16 (BOM)", "utf-16", 0)
    utf16 = _utf16_without_bom(head)
    if utf16:
        return Encoding("UTF-16（无 BOM）", utf16, 0)
    if len(_CONTROL.findall(head[:65536])) > BINARY_NUL_SHARE * min(len(head), 65536):
        raise ImportFailure("不是 CSV 或 xlsx 文件（含二进制内容）", "not a CSV or xlsx file: binary content", where)
    if _decodes(head, "utf-8"):
        return Encoding("UTF-8", "utf-8", 0)
    if _single_byte_western(head):
        return Encoding("Windows-1252（西文）", "cp1252", 0)
    return Encoding("GB18030", "gb18030", 0)


def chunks(source: bytes | Path, size: int = CHUNK) -> Iterator[bytes]:
    """The bytes of source in chunks."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield bytes(view[start:start + size])
        return
    with open(source, "rb") as fh:
        yield from iter(lambda: fh.read(size), b"")


def head_of(source: bytes | Path, size: int = HEAD) -> bytes:
    """The first bytes of source."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:size])
    with open(source, "rb") as fh:
        return fh.read(size)


def inspect(source: bytes | Path) -> Facts:
    """One pass over the file: sha256 and counts."""
    counter = Counter()
    for chunk in chunks(source):
        counter.feed(chunk)
    return counter.finish()


@dataclass
class Transcoded:
    """A UTF-8 copy written by transcode(), and what it had to repair."""

    facts: Facts
    bad_bytes: int
    nuls_removed: int
    encoding: Encoding


def transcode(source: bytes | Path, encoding: Encoding, out: Path, where: str, facts: Facts | None = None
              ) -> Transcoded:
    """Write source as UTF-8 to out: NULs removed, CR-only line ends made LF, undecodable bytes marked U+FFFD.

    The encoding is tried strictly first; a UTF-8 guess that fails later in the file is retried as GB18030.
    Only when no encoding decodes the whole file are bad bytes replaced, and only a few are tolerated: the
    rows holding them are rejected later, never loaded with a guessed character. facts (the source's
    counts) spare work: line ends and NULs are repaired only when the source has any to repair.
    """
    candidates = [encoding] + ([Encoding("GB18030", "gb18030")] if encoding.codec == "utf-8" else [])
    for candidate in candidates:
        try:
            return _transcode_once(source, candidate, out, "strict", facts)
        except UnicodeDecodeError:
            continue
    result = _transcode_once(source, encoding, out, "replace", facts)
    lines = max(result.facts.newlines, 1)
    if result.bad_bytes > MAX_BAD_BYTES or result.bad_bytes > MAX_BAD_SHARE * lines + 10:
        raise ImportFailure(f"文件编码无法识别：不是 UTF-8 也不是 GB18030/GBK（{result.bad_bytes} 处无法解码）",
                            f"unknown encoding: neither UTF-8 nor GB18030/GBK ({result.bad_bytes} undecodable "
                            "bytes); save the file as UTF-8 CSV or .xlsx", where)
    return result


def _transcode_once(source: bytes | Path, encoding: Encoding, out: Path, errors: str,
                    facts: Facts | None) -> Transcoded:
    """One decoding attempt of transcode()."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors)
    # In ASCII-compatible encodings (GB18030, cp1252, UTF-8) quotes and line ends are the same bytes before
    # and after: the source's counts hold for the copy unless NULs or CRs are repaired.
    ascii_compatible = not encoding.codec.startswith("utf-16")
    repair = facts is None or not ascii_compatible or facts.nuls or facts.lone_crs
    scanner = Counter(digest=False) if repair else None
    bad = nuls = 0
    pending_cr = False
    skip = encoding.bom
    with open(out, "wb") as fh:
        for chunk in _with_final(chunks(source)):
            data, final = chunk
            if skip:
                data, skip = data[skip:], 0
            text = decoder.decode(data, final=final)
            if errors == "replace":
                bad += text.count("\ufffd")
            if repair:
                text, pending_cr, removed = _repair(text, pending_cr)
                nuls += removed
            encoded = text.encode("utf-8")
            if scanner is not None:
                scanner.feed(encoded)
            fh.write(encoded)
        if pending_cr:
            scanner.feed(b"\n")
            fh.write(b"\n")
    counted = scanner.finish() if scanner is not None else replace(facts, sha256="", size=out.stat().st_size)
    return Transcoded(counted, bad, nuls, encoding)


def _repair(text: str, pending_cr: bool) -> tuple[str, bool, int]:
    """NULs removed and CR line ends made LF in one decoded chunk; (text, chunk ended in a CR, NULs removed)."""
    removed = 0
    if "\x00" in text:
        removed = text.count("\x00")
        text = text.replace("\x00", "")
    if "\r" in text:
        # CR-only or mixed line ends: a CR not followed by LF ends a line.
        if pending_cr and not text.startswith("\n"):
            text = "\n" + text
        pending_cr = text.endswith("\r")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if pending_cr:
            text = text[:-1]
    elif pending_cr:
        text = ("" if text.startswith("\n") else "\n") + text
        pending_cr = False
    return text, pending_cr, removed


def _with_final(parts: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each chunk with a flag saying whether it is the last."""
    previous = None
    for part in parts:
        if previous is not None:
            yield previous, False
        previous = part
    yield (previous or b""), True
