"""The post-show report: totals as JSON, and an HTML page with charts, rebuilt from the session log."""

from studio.live.report.data import ReportData, build_report

__all__ = ["ReportData", "build_report"]
