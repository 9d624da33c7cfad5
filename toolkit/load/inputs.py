"""Opening input files: plain, ``.gz`` or ``.zip``; hashing; reading records.

A plain or gzip CSV file is first offered to DuckDB's own parallel CSV reader
(:func:`engine_csv_sql`): every column as text, quoting strict, records numbered in file
order. Where that reader refuses the file (a record with the wrong number of fields, a
stray quote, bytes that are not UTF-8...), or for a zip member, records stream instead
through pyarrow's C++ CSV reader (in one thread, so that row numbers are exact) in
bounded batches, which rejects the bad records one by one; never as whole-file Python lists:

* tabular files (CSV/TSV) as all-binary columns, header from the first record;
* line files (JSONL) as one binary column per physical line (``\\x01`` as the delimiter,
  which valid JSON text never contains unescaped, and no quoting).

Row numbers are 1-based: the line number for line files, the record number with the
header excluded for tabular files (a quoted multi-line text counts as one record). Both
CSV readers give the same records with the same numbers, values verbatim (empty fields as
empty text); one difference, in files that only the engine reads: spaces between a
delimiter and a quoted field (``a, "b"``) are dropped by DuckDB, while pyarrow keeps
``  "b"`` with its quotes as the value.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import zipfile
from pathlib import Path
from typing import IO, Callable, Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import FormatError
from .formats import sql_str

#: Bytes read ahead to detect a file's format.
PEEK_BYTES = 256 * 1024
#: Target size of one batch handed to the engine (bytes of input).
BATCH_BYTES = 32 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True)
class InputFile:
    """One loadable unit: a file, or one member of a zip archive.

    Attributes:
        path: the file on disk.
        member: the zip member name, or None.
        compression: ``"gzip"``, ``"zip"`` or None.
        size_bytes: stored size (compressed where compressed).
    """

    path: Path
    member: str | None
    compression: str | None
    size_bytes: int

    @property
    def label(self) -> str:
        """How the toolkit names this input in messages and in ``sources.path``."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    def open(self) -> IO[bytes]:
        """A binary stream of the decompressed content."""
        if self.compression == "zip":
            archive = zipfile.ZipFile(self.path)
            return archive.open(self.member)
        if self.compression == "gzip":
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")

    def peek(self, n_bytes: int = PEEK_BYTES) -> bytes:
        """The first ``n_bytes`` of the decompressed content, with a UTF-8 BOM removed."""
        with self.open() as stream:
            head = stream.read(n_bytes)
        return head[len(UTF8_BOM):] if head.startswith(UTF8_BOM) else head

    def sha256(self) -> str:
        """SHA-256 of the stored bytes (of the member's decompressed bytes inside a zip)."""
        digest = hashlib.sha256()
        with (self.open() if self.compression == "zip" else open(self.path, "rb")) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def expand_inputs(paths: list[str | Path]) -> list[InputFile]:
    """Resolve user paths into loadable inputs; a zip archive yields one input per data member.

    Raises:
        FormatError: a path does not exist, is a directory, or is a zip with no data member.
    """
    inputs: list[InputFile] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FormatError(f"{path}: no such file")
        if path.is_dir():
            raise FormatError(f"{path}: is a directory; name the files inside it (e.g. {path}/*.jsonl)")
        with open(path, "rb") as stream:
            magic = stream.read(4)
        if magic.startswith(ZIP_MAGIC) and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [
                    info for info in archive.infolist()
                    if not info.is_dir() and not Path(info.filename).name.startswith(".")
                    and not info.filename.startswith("__MACOSX/")
                ]
            if not members:
                raise FormatError(f"{path}: zip archive holds no data files")
            inputs += [InputFile(path, info.filename, "zip", info.compress_size) for info in members]
        else:
            compression = "gzip" if magic.startswith(GZIP_MAGIC) else None
            inputs.append(InputFile(path, None, compression, path.stat().st_size))
    return inputs


def sniff_csv_header(head: bytes, source: str) -> tuple[list[str], str]:
    """Column names and delimiter of a delimited text file, from its first bytes.

    Raises:
        FormatError: the header is empty or not UTF-8.
    """
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = head[: exc.start].decode("utf-8")
        if not text:
            raise FormatError(f"{source}: the file does not start with UTF-8 text; re-export it as UTF-8 CSV") from None
    first_line = next(csv.reader(io.StringIO(text)), None)
    if not first_line:
        raise FormatError(f"{source}: empty file, no header row")
    counts = {d: text.split("\n", 1)[0].count(d) for d in (",", "\t", ";")}
    delimiter = max(counts, key=counts.get)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [name.strip() for name in header], delimiter


#: DuckDB's null string for CSV: a text no field holds, so that no value reads as NULL.
_NO_NULL = "\x1f(cib: no null string)\x1f"
#: Bytes per buffer of DuckDB's CSV reader (None: DuckDB's default); smaller buffers split a
#: file into more pieces read in parallel.
ENGINE_CSV_BUFFER_BYTES: int | None = None
#: Characters DuckDB reads as a glob pattern in a path; such paths are not handed to it.
_GLOB_CHARACTERS = frozenset("*?[]{}")


def engine_csv_sql(source: InputFile, names: list[str], delimiter: str) -> str | None:
    """A DuckDB query reading a delimited text input whole, in file order: one text column per
    header name, values verbatim.

    Parsing is strict: DuckDB raises an error rather than guess at a record with the wrong
    number of fields, an unterminated or stray quote, or bytes that are not UTF-8, so that
    the caller can read such a file with :func:`stream_batches` instead, which rejects those
    records one by one. DuckDB reads the file in pieces in parallel and, keeping insertion
    order (its default ``preserve_insertion_order``), writes a table of the records in file
    order: a record's number is its ``rowid + 1`` there.

    Returns:
        The query, or None for an input DuckDB cannot open by itself (a zip member, a path
        with glob characters).
    """
    if source.compression not in (None, "gzip") or _GLOB_CHARACTERS & set(str(source.path)):
        return None
    columns = "{" + ", ".join(f"{sql_str(name)}: 'VARCHAR'" for name in names) + "}"
    options = ", ".join([
        "header = true", "auto_detect = false", f"columns = {columns}", f"delim = {sql_str(delimiter)}",
        "quote = '\"'", "escape = '\"'", "strict_mode = true", "null_padding = false",
        # no field is NULL (empty fields are empty text, as in the pyarrow path), and a record
        # with surplus empty fields is refused rather than cut: DuckDB drops surplus fields
        # that match the null string
        f"nullstr = {sql_str(_NO_NULL)}", "allow_quoted_nulls = false",
        f"compression = {sql_str('gzip' if source.compression == 'gzip' else 'none')}",
    ] + ([f"buffer_size = {int(ENGINE_CSV_BUFFER_BYTES)}"] if ENGINE_CSV_BUFFER_BYTES else []))
    return f"SELECT * FROM read_csv({sql_str(str(source.path))}, {options})"


@dataclasses.dataclass
class ParseReject:
    """A record the CSV parser itself refused (wrong number of fields)."""

    source_row: int
    raw: str
    reason: str


def stream_batches(
    source: InputFile,
    *,
    kind: str,
    delimiter: str = ",",
    on_parse_reject: Callable[[ParseReject], None],
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream a file as record batches of binary columns.

    Args:
        source: the input.
        kind: ``"lines"`` (one column ``raw``, one row per physical line, blank lines kept as
            empty values) or ``"csv"`` (columns from the header row).
        delimiter: field delimiter for ``"csv"``.
        on_parse_reject: called for each record the parser refuses, with its number.
        on_bytes: called with the number of input bytes consumed so far (for progress bars).

    Yields:
        Batches whose rows are the accepted records in file order; the caller numbers them
        and corrects the numbers for parse rejects with :func:`ordinal_to_row_sql`.
    """
    header_offset = 0 if kind == "lines" else 1

    def handler(row) -> str:
        number = row.number - header_offset if row.number is not None and row.number >= 0 else -1
        if kind == "lines":
            reason = "line contains a control byte 0x01 (binary garbage, not JSON text)"
        else:
            reason = f"record has {row.actual_columns} fields, the header has {row.expected_columns}"
        on_parse_reject(ParseReject(number, row.text, reason))
        return "skip"

    if kind == "lines":
        read_options = pacsv.ReadOptions(use_threads=False, block_size=BATCH_BYTES, column_names=["raw"])
        parse_options = pacsv.ParseOptions(
            delimiter="\x01", quote_char=False, escape_char=False, newlines_in_values=False,
            ignore_empty_lines=False, invalid_row_handler=handler,
        )
        convert_options = pacsv.ConvertOptions(column_types={"raw": pa.binary()}, strings_can_be_null=False)
    else:
        with source.open() as stream:
            names, _ = sniff_csv_header(stream.read(PEEK_BYTES).removeprefix(UTF8_BOM), source.label)
        read_options = pacsv.ReadOptions(use_threads=False, block_size=BATCH_BYTES, skip_rows=1, column_names=names)
        parse_options = pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=handler,
        )
        convert_options = pacsv.ConvertOptions(
            column_types={name: pa.binary() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        )
    stream = source.open()
    counting = _CountingReader(stream, on_bytes)
    try:
        reader = pacsv.open_csv(counting, read_options=read_options, parse_options=parse_options, convert_options=convert_options)
        for batch in reader:
            yield batch
    except pa.ArrowInvalid as exc:
        raise FormatError(f"{source.label}: cannot be read as {'lines' if kind == 'lines' else 'CSV'}: {exc}") from None
    finally:
        stream.close()


class _CountingReader(io.RawIOBase):
    """A read-only stream that reports how many bytes have been consumed, skipping a BOM."""

    def __init__(self, inner: IO[bytes], on_bytes: Callable[[int], None] | None):
        self.inner = inner
        self.on_bytes = on_bytes
        self.consumed = 0
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        if self._first:
            self._first = False
            data = data.removeprefix(UTF8_BOM)
        n = len(data)
        buffer[:n] = data
        self.consumed += n
        if self.on_bytes:
            self.on_bytes(self.consumed)
        return n


def decode_utf8_column(column: pa.Array) -> tuple[pa.Array, dict[int, str]]:
    """Binary → string. Returns the strings (invalid ones as null) and {index: reason} of invalid ones."""
    try:
        return column.cast(pa.string()), {}
    except pa.ArrowInvalid:
        pass
    values, bad = [], {}
    for i, raw in enumerate(column.to_pylist()):
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            values.append(None)
            bad[i] = f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); re-export the file as UTF-8"
    return pa.array(values, pa.string()), bad
