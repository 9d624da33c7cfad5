"""Every exception the toolkit raises on purpose. Each one carries a message that
names the file, row or parameter, what was received, what was expected, and a hint."""


class CibError(Exception):
    """Base class: an error a user can act on (the CLI prints its message, no traceback)."""

    def __init__(self, message: str):
        if not message:
            raise ValueError("CibError needs a message")
        super().__init__(message)


class WorkspaceError(CibError):
    """The workspace file cannot be used (wrong schema version, not a workspace, locked)."""


class FormatError(CibError):
    """An input file is refused as a whole (unknown format, missing required columns)."""


class ParameterError(CibError):
    """A parameter value is out of range or inconsistent with another one."""


class EngineError(CibError):
    """The chosen query engine cannot run here (missing package or Java) or cannot run a statement."""
