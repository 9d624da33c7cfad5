"""Recognise an input's format from its content (not its name).

Order of the checks: Parquet magic bytes; JSON (first line an object: twarc2 response
page, twarc2 flattened tweet, Graph API response, or a canonical post object; or one
pretty-printed JSON document); otherwise delimited text, recognised by its header.
"""

from __future__ import annotations

import json

from ..errors import FormatError
from .facebook import CROWDTANGLE_COLUMNS, CROWDTANGLE_LINKS, FACEBOOK_GRAPH
from .formats import Format
from .inputs import UTF8_BOM, InputFile, sniff_csv_header
from .io_archive import IO_ARCHIVE_TWEETS, IO_ARCHIVE_USERS, IO_TWEETS_COLUMNS, IO_USERS_COLUMNS
from .tables import COORTWEET_COLUMNS, canonical_format, coortweet_format
from .twarc import TWARC2_FLAT, TWARC2_PAGES

#: Longest first line read to recognise a JSONL file (API pages can be megabytes).
MAX_FIRST_LINE_BYTES = 64 * 1024 * 1024
#: Largest file read whole as one JSON document.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024 * 1024

#: Every format the loader knows, for docs and messages (the canonical and CooRTweet
#: formats are built per file, from its columns and the options).
KNOWN_FORMATS = [
    TWARC2_PAGES.title, TWARC2_FLAT.title, IO_ARCHIVE_TWEETS.title, IO_ARCHIVE_USERS.title,
    FACEBOOK_GRAPH.title, CROWDTANGLE_LINKS.title, "CooRTweet share table",
    "canonical post table (CSV, JSONL or Parquet; other CSVs with --map)",
]


def detect_format(source: InputFile, *, mapping: dict[str, str] | None = None, platform: str | None = None) -> Format:
    """The :class:`Format` of one input.

    Args:
        source: the input file (or zip member).
        mapping: ``{file_column: canonical_column}``; given, the file is read as a canonical table.
        platform: platform for files that do not name one.

    Raises:
        FormatError: the content matches no known format; the message shows what was found.
    """
    head = source.peek()
    if not head.strip():
        raise FormatError(f"{source.label}: the file is empty")
    if head.startswith(b"PAR1"):
        import pyarrow.parquet as pq

        with source.open() as stream:
            names = pq.ParquetFile(stream).schema_arrow.names
        return canonical_format("parquet", names, mapping=mapping, platform=platform, source=source.label)
    if head.lstrip()[:1] in (b"{", b"["):
        return _detect_json(source, mapping, platform)
    columns, _ = sniff_csv_header(head, source.label)
    if mapping:
        return canonical_format("csv", columns, mapping=mapping, platform=platform, source=source.label)
    present = set(columns)
    if set(IO_TWEETS_COLUMNS) <= present:
        return IO_ARCHIVE_TWEETS
    if set(IO_USERS_COLUMNS) <= present:
        return IO_ARCHIVE_USERS
    if set(CROWDTANGLE_COLUMNS) <= present:
        return CROWDTANGLE_LINKS
    if set(COORTWEET_COLUMNS) <= present and "post_id" not in present:
        return coortweet_format(platform)
    return canonical_format("csv", columns, mapping=mapping, platform=platform, source=source.label)


def first_json_line(source: InputFile) -> bytes:
    """The first non-blank line of a text file (BOM removed), up to :data:`MAX_FIRST_LINE_BYTES`."""
    with source.open() as stream:
        for line in stream:
            line = line.removeprefix(UTF8_BOM).strip()
            if line:
                return line[:MAX_FIRST_LINE_BYTES]
            if stream.tell() > MAX_FIRST_LINE_BYTES:
                break
    return b""


def _detect_json(source: InputFile, mapping, platform) -> Format:
    line = first_json_line(source)
    try:
        first = json.loads(line)
        reader = "lines"
    except ValueError:
        first = read_json_document(source)
        reader = "document"
    if reader == "document" and isinstance(first, list):
        first = first[0] if first else {}
    if not isinstance(first, dict):
        raise FormatError(f"{source.label}: JSON, but its first record is a {type(first).__name__}, not an object; "
                          f"expected one of: {'; '.join(KNOWN_FORMATS)}")
    kind = classify_json_object(first)
    if kind == "twarc2_pages":
        return _with_reader(TWARC2_PAGES, reader)
    if kind == "twarc2_flat":
        return _with_reader(TWARC2_FLAT, reader)
    if kind == "facebook_graph":
        return _with_reader(FACEBOOK_GRAPH, reader)
    return canonical_format("lines", list(first), mapping=mapping, platform=platform, source=source.label) \
        if reader == "lines" else _refuse(source, first)


def classify_json_object(obj: dict) -> str:
    """Name of the JSON shape of a first record: twarc2_pages, twarc2_flat, facebook_graph or canonical."""
    data = obj.get("data")
    if isinstance(data, list) or "includes" in obj:
        item = next((d for d in (data or []) if isinstance(d, dict)), {})
        if "created_time" in item or "message" in item or ("paging" in obj and "text" not in item):
            return "facebook_graph"
        return "twarc2_pages"
    if {"id", "text", "created_at"} <= obj.keys() and ("author" in obj or "author_id" in obj):
        return "twarc2_flat"
    if "created_time" in obj and "id" in obj:
        return "facebook_graph"
    return "canonical"


def read_json_document(source: InputFile):
    """Parse a whole file as one JSON document.

    Raises:
        FormatError: too large, or not valid JSON (with the position of the error).
    """
    if source.size_bytes > MAX_DOCUMENT_BYTES:
        raise FormatError(f"{source.label}: a single JSON document over {MAX_DOCUMENT_BYTES >> 30} GiB; write it as JSONL (one object per line)")
    with source.open() as stream:
        data = stream.read().removeprefix(UTF8_BOM)
    try:
        return json.loads(data)
    except ValueError as exc:
        raise FormatError(f"{source.label}: starts like JSON but is neither JSONL nor one JSON document ({exc})") from None


def _with_reader(fmt: Format, reader: str) -> Format:
    import dataclasses

    return fmt if fmt.reader == reader else dataclasses.replace(fmt, reader=reader)


def _refuse(source: InputFile, first: dict):
    raise FormatError(
        f"{source.label}: a JSON document whose keys {sorted(first)[:12]} match no known format; expected one of: "
        f"{'; '.join(KNOWN_FORMATS)}. Canonical posts must be JSONL (one object per line)."
    )
