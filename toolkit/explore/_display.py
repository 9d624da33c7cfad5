"""What every explorer shares: a widget in JupyterLab, static HTML where widgets cannot render."""

from __future__ import annotations

import base64
import html
import io
from typing import Any, Callable

import pandas as pd


def figure_html(fig: Any, *, dpi: int = 90) -> str:
    """A matplotlib figure as an inline PNG ``<img>`` (closed afterwards)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return f'<img src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}"/>'


def frame_html(frame: pd.DataFrame, *, max_rows: int = 20) -> str:
    """A DataFrame as an HTML table (first ``max_rows`` rows, with a note of how many more)."""
    more = len(frame) - max_rows
    table = frame.head(max_rows).to_html(index=False, escape=True, na_rep="")
    return table + (f"<p><i>… and {more:,} more rows</i></p>" if more > 0 else "")


def section_html(parts: dict[str, Any]) -> str:
    """Titled sections: each value a DataFrame, a matplotlib figure, or text."""
    chunks = []
    for title, value in parts.items():
        if value is None:
            continue
        chunks.append(f"<h4>{html.escape(title)}</h4>")
        if isinstance(value, pd.DataFrame):
            chunks.append(frame_html(value))
        elif hasattr(value, "savefig"):
            chunks.append(figure_html(value))
        else:
            chunks.append(f"<p>{html.escape(str(value))}</p>")
    return "\n".join(chunks)


def show_sections(output: Any, parts: dict[str, Any]) -> None:
    """Replace an ``ipywidgets.Output``'s content with the sections (tables, figures, text)."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, Markdown, display

    with output:
        output.clear_output(wait=True)
        for title, value in parts.items():
            if value is None:
                continue
            display(Markdown(f"**{title}**"))
            if hasattr(value, "savefig"):
                display(value)
                plt.close(value)
            elif isinstance(value, pd.DataFrame):
                display(value)
            else:
                display(HTML(f"<p>{html.escape(str(value))}</p>"))


def remember_last(key: Callable[[], Any], compute: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """``compute`` memoised on ``key()``: the widget and its static rendering share one computation per setting."""
    memo: dict[str, Any] = {}

    def current() -> dict[str, Any]:
        k = key()
        if memo.get("key", object()) != k:
            memo["key"], memo["parts"] = k, compute()
        return memo["parts"]
    return current


class Explorer:
    """An interactive view: its ``widget`` renders in JupyterLab; elsewhere (a static viewer, an
    exported notebook, a terminal) the current state shows as HTML tables and figures.

    Attributes:
        widget: the ipywidgets container.
        title: what it shows.
    """

    def __init__(self, widget: Any, static: Callable[[], dict[str, Any]], title: str):
        self.widget = widget
        self._static = static
        self.title = title

    def static(self) -> dict[str, Any]:
        """The current view as titled parts (DataFrames, figures, text), without widgets."""
        return self._static()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = dict(self.widget._repr_mimebundle_())
        data["text/html"] = f"<h3>{html.escape(self.title)}</h3>" + section_html(self.static())
        data["text/plain"] = self.title
        return data

    def __repr__(self) -> str:
        return f"<{self.title}>"
