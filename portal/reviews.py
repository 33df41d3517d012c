"""Review state: the newest action on a report is its state (通过, 退回, or waiting), and every
action is exported for the warehouse: `review_actions.csv` in the portal's folder, which the
next run loads as `raw.review_actions` (dbt_project/models/staging/sources.yml)."""

from __future__ import annotations

import csv
import os
import tempfile

from pipelines.settings import Settings
from portal.models import ReviewAction

APPROVED, RETURNED, WAITING = "approved", "returned", "waiting"
STATE_WORDS = {APPROVED: "已通过", RETURNED: "已退回", WAITING: "待审核"}
EXPORT_COLUMNS = ("report_id", "sha256", "file_path", "sheet", "supporting_hospital",
                  "recipient_hospital", "department", "period_start", "period_end", "action",
                  "reason", "acted_by", "acted_at")


def latest_actions(report_ids=None) -> dict[str, ReviewAction]:
    """report_id → its newest action."""
    actions = ReviewAction.objects.select_related("acted_by").order_by("acted_at", "id")
    if report_ids is not None:
        actions = actions.filter(report_id__in=list(report_ids))
    return {action.report_id: action for action in actions}


def latest_actions_of_files(sha256s) -> dict[str, ReviewAction]:
    """report_id → its newest action, for the reports of the given file contents."""
    actions = ReviewAction.objects.filter(sha256__in=list(sha256s)).select_related("acted_by")
    return {action.report_id: action for action in actions.order_by("acted_at", "id")}


def state_of(action: ReviewAction | None) -> str:
    if action is None or action.action == ReviewAction.WITHDRAW:
        return WAITING
    return APPROVED if action.action == ReviewAction.APPROVE else RETURNED


def export_actions() -> None:
    """Write every action, oldest first, replacing the previous export atomically."""
    target = Settings.from_env().review_actions
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=".review_actions-")
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        for action in ReviewAction.objects.select_related("acted_by").order_by("acted_at", "id"):
            writer.writerow([
                action.report_id, action.sha256, action.file_path, action.sheet,
                action.supporting_hospital, action.recipient_hospital, action.department,
                action.period_start or "", action.period_end or "", action.action, action.reason,
                action.acted_by.username, action.acted_at.isoformat()])
    os.replace(partial, target)
