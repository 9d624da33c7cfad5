"""Starting a Spark session for the toolkit: pyspark imported lazily, Java checked first.

The session runs in UTC with ANSI mode off, as DuckDB does (a failed cast or a division by
zero gives NULL rather than an error), and with the Arrow transfer on (results come back to
pandas through Arrow).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys

from ..errors import EngineError

log = logging.getLogger(__name__)

INSTALL_HINT = "install the Spark extra: pip install 'cib-toolkit[spark]'"
JAVA_HINT = "install Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"

#: Settings every session gets (a cluster's own defaults apply to everything else).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}

#: Settings for local mode only: no web UI, no progress bars (library code does not print), and
#: no cap on the results collected to the driver beside its memory (the texts handed to
#: near-duplicate matching exceed the default 1 GB from about 10 million posts; the driver is the
#: executor here, so its memory bounds them anyway).
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.maxResultSize": "0",
}


def local_cores(master: str) -> int:
    """Cores of a local master URL: ``local`` 1, ``local[2]`` 2, ``local[*]`` all of the machine's."""
    found = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master)
    if not found or found.group(1) is None:
        return 1
    return os.cpu_count() or 1 if found.group(1) == "*" else int(found.group(1))


def import_pyspark():
    """The ``pyspark`` module, or an :class:`EngineError` saying how to install it."""
    try:
        import pyspark
    except ImportError:
        raise EngineError(f"the Spark engine needs pyspark, which is not installed; {INSTALL_HINT}") from None
    return pyspark


def java_available() -> bool:
    """True if a ``java`` executable is on PATH or under JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


def java_version() -> int | None:
    """The major version of the Java found (17, 21, ...), or None if there is none."""
    if not java_available():
        return None
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    for token in out.split():
        token = token.strip('"')
        if token[:1].isdigit():
            major = token.split(".")[0]
            return int(major) if major.isdigit() else None
    return None


def get_session(master: str | None = None, *, conf: dict[str, str] | None = None):
    """A Spark session for the toolkit (the active one is reused, with the toolkit's settings applied).

    Args:
        master: Spark master URL: ``local[2]``, ``spark://host:7077``, ``yarn``, ``k8s://...``;
            None: the one ``spark-submit`` or the platform (Databricks, EMR, Dataproc) set, else ``local[*]``.
        conf: further Spark settings, e.g. ``{"spark.executor.memory": "8g"}``.

    Raises:
        EngineError: pyspark is not installed, or there is no Java 17 or later to run it.
    """
    import_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is None:
        submitted = bool(os.environ.get("PYSPARK_GATEWAY_PORT"))  # started by spark-submit: it set the master
        if master is None and not submitted:
            master = "local[*]"
        local = master is not None and master.startswith("local")
        if local:
            version = java_version()
            if version is None:
                raise EngineError(f"the Spark engine needs Java, and none was found; {JAVA_HINT}")
            if version < 17:
                raise EngineError(f"the Spark engine needs Java 17 or later, found Java {version}; {JAVA_HINT}")
        builder = SparkSession.builder.appName("cib-toolkit")
        if master:
            builder = builder.master(master)
        settings = dict(SESSION_CONF)
        if local:  # few partitions: a shuffle's tasks each cost a few milliseconds even when empty
            cores = str(local_cores(master))
            settings.update(LOCAL_CONF, **{"spark.sql.shuffle.partitions": cores, "spark.default.parallelism": cores})
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # UDF workers: this Python, with the toolkit
        for key, value in {**settings, **(conf or {})}.items():
            builder = builder.config(key, value)
        log.info("starting Spark (master %s)", master or "from the environment")
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session
    for key, value in {**SESSION_CONF, **(conf or {})}.items():
        active.conf.set(key, value)
    return active
