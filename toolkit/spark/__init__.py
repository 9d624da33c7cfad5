"""The Spark engine: the toolkit's queries on Apache Spark (``pip install 'cib-toolkit[spark]'``).

:mod:`toolkit.spark.session` starts a session, :mod:`toolkit.spark.sql` translates the toolkit's
SQL, :mod:`toolkit.spark.store` is the workspace. Open one with
``toolkit.store.open_store(path, engine="spark")``; see docs/spark.md.
"""
