"""Plotly charts of the studies (Chinese labels), one module per study; the scorecard's
charts live in ``perfanalysis.report.charts``."""
