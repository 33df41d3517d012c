"""The portal's own tables: who an account belongs to, what was uploaded through it, and every
review action on a report. Roles are the auth groups admin / viewer / submitter / reviewer."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Account(models.Model):
    """Where an account belongs: a hospital (and office), or a province for a viewer."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="account", verbose_name="账号")
    hospital = models.CharField("医院", max_length=200, blank=True)
    province = models.CharField("省份", max_length=50, blank=True)
    department = models.CharField("科室", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号归属"

    def __str__(self) -> str:
        return self.hospital or self.province or "（未指定）"


class Upload(models.Model):
    """One file a submitter uploaded, what `bangfu check` made of it, and where it was put."""

    STORED, REFUSED = "stored", "refused"
    OUTCOMES = [(STORED, "已存入报送文件夹"), (REFUSED, "未存入")]

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="uploads", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    original_name = models.CharField("原文件名", max_length=255)
    size_bytes = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    # The pair the file's reports name (blank when the reader found none).
    supporting_hospital = models.CharField("支援医院", max_length=200, blank=True)
    recipient_hospital = models.CharField("受援医院", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=20, choices=OUTCOMES)
    refusal = models.TextField("未存入的原因", blank=True)
    # Relative to the raw folder, `/`-separated, as ingest_files names it.
    stored_path = models.CharField("存放路径", max_length=1000, blank=True)
    checked = models.JSONField("检查结果")  # `bangfu check --json`'s entry for the file
    has_annotated = models.BooleanField("有标注副本", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "上传记录"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class ReviewAction(models.Model):
    """One action of a reviewer on one report (a sheet of one file version): the newest
    action on a report is its state. Exported for the warehouse (portal/approvals.py)."""

    APPROVE, RETURN, WITHDRAW = "approve", "return", "withdraw"
    ACTIONS = [(APPROVE, "通过"), (RETURN, "退回"), (WITHDRAW, "撤销通过")]

    report_id = models.CharField("报表编号", max_length=200, db_index=True)
    sha256 = models.CharField(max_length=64)
    file_path = models.CharField("文件", max_length=1000)
    sheet = models.CharField("工作表", max_length=255)
    supporting_hospital = models.CharField("支援医院", max_length=200)
    recipient_hospital = models.CharField("受援医院", max_length=200)
    department = models.CharField("科室", max_length=100, blank=True)
    period_start = models.DateField("统计周期起", null=True)
    period_end = models.DateField("统计周期止", null=True)
    action = models.CharField("操作", max_length=20, choices=ACTIONS)
    reason = models.TextField("原因", blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="review_actions", verbose_name="操作人")
    acted_at = models.DateTimeField("操作时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核记录"
        ordering = ["-acted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.file_path} {self.sheet}"
