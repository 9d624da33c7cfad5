"""cib-toolkit: reconstruct coordinated inauthentic behaviour campaigns from platform exports.

The DuckDB workspace (:mod:`toolkit.store`) holds the canonical tables defined in
:mod:`toolkit.schema`; :mod:`toolkit.load` fills it from real export formats.
"""

__version__ = "0.1.0"
