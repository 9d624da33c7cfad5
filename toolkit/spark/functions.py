"""DuckDB functions the toolkit's SQL uses that Spark lacks, as Spark functions of the same name.

Registered in every :class:`toolkit.spark.store.SparkStore`; each gives DuckDB's result.

- ``strip_accents(text)``: text without its combining marks (é → e), as DuckDB's ``strip_accents``.
"""

from __future__ import annotations

import unicodedata

import pandas as pd


def strip_accents(texts: pd.Series) -> pd.Series:
    """Each text decomposed (NFD) without its combining marks (Unicode category Mn), recomposed (NFC)."""
    def one(text):
        if text is None or (isinstance(text, float) and pd.isna(text)):
            return None
        decomposed = unicodedata.normalize("NFD", text)
        return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))

    return pd.Series([one(text) for text in texts], index=texts.index, dtype=object)


#: name -> (pandas function, Spark return type)
FUNCTIONS = {"strip_accents": (strip_accents, "string")}


def register_functions(spark) -> None:
    """Register :data:`FUNCTIONS` in a Spark session."""
    from pyspark.sql.functions import pandas_udf

    for name, (function, returns) in FUNCTIONS.items():
        spark.udf.register(name, pandas_udf(function, returns))
