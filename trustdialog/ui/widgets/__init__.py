"""Widgets of the two-pane app: safe text, partner panes, answer forms."""
