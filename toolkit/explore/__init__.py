"""Interactive explorers for JupyterLab, and the workspaces the guided notebooks open."""
from .workspace import campaign_posts, campaign_summary, open_workspace, sample_targets, sample_workspace

__all__ = ["campaign_posts", "campaign_summary", "open_workspace", "sample_targets", "sample_workspace"]
