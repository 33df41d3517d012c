"""The portal's pages. Each view asks for the account's scope on every request and answers
404 for anything of a pair outside it (the same answer as for what does not exist)."""

from __future__ import annotations

import mimetypes
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal import reviews, site_files, uploads
from portal.models import ReviewAction, Upload
from portal.registry import registry
from portal.scopes import ADMIN, ROLES, scope_of
from portal.warehouse import (
    STATUS_WORDS,
    file_issues,
    file_statuses,
    report,
    report_values,
    reviewable_reports,
)


def _scope(request):
    return scope_of(request.user)


def needs(test):
    """A view only for accounts whose scope passes `test` (403 otherwise)."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(_scope(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


def home(request):
    scope = _scope(request)
    folders = {pair: folder for folder, pair in site_files.pair_folders().items()}
    pairs = [{"pair": pair, "folder": folders.get(pair),
              "province": registry().provinces.get(pair.recipient, "")}
             for pair in scope.visible(registry().pairs)]
    return render(request, "portal/home.html", {
        "scope": scope, "role_zh": ROLES.get(scope.role, "未分配角色"), "pairs": pairs,
        "account": getattr(request.user, "account", None)})


def attachment(path: Path, name: str, content_type: str | None = None) -> FileResponse:
    """A file sent to be saved, never shown: whatever it holds, no browser renders it."""
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name,
                            content_type=content_type or "application/octet-stream")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The site's own files open in the browser; what is not a page, a script, a style or an
# image is downloaded.
_INLINE = {".html", ".css", ".js", ".svg", ".png", ".jpg", ".gif", ".woff", ".woff2", ".json"}


def site(request, relative: str = ""):
    entry = site_files.resolve(relative, _scope(request))
    if entry.path.is_dir():
        if not relative.endswith("/") and relative:
            return HttpResponseRedirect(reverse("site", args=[relative + "/"]))
        index = entry.path / "index.html"
        if index.is_file():
            entry = site_files.SiteEntry(index, entry.relative / "index.html", entry.pair)
        else:
            return render(request, "portal/folder.html", {
                "entry": entry, "items": sorted(
                    (p.name + ("/" if p.is_dir() else ""), p.is_dir())
                    for p in entry.path.iterdir() if not p.name.startswith(".")
                    and not p.is_symlink())})
    if entry.path.suffix.lower() not in _INLINE:
        return attachment(entry.path, entry.path.name, mimetypes.guess_type(entry.path.name)[0])
    content_type = mimetypes.guess_type(entry.path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
        content_type += "; charset=utf-8"
    return FileResponse(entry.path.open("rb"), content_type=content_type)


def _visible_uploads(request):
    """Uploads an account may see: its own, and those of the pairs in its scope."""
    scope = _scope(request)
    found = Upload.objects.select_related("uploaded_by")
    if scope.everything:
        return found
    mine = Q(uploaded_by=request.user)
    for pair in scope.pairs:
        mine |= Q(supporting_hospital=pair.supporting, recipient_hospital=pair.recipient)
    return found.filter(mine)


def _with_status(shown):
    """Each upload with the status the last run gave it, and its reports' review decisions
    (a returned report's reason is for the submitter to read)."""
    statuses = file_statuses([u.stored_path for u in shown if u.stored_path])
    decisions = {}
    for action in reviews.latest_actions_of_files({u.sha256 for u in shown}).values():
        decisions.setdefault(action.sha256, []).append(
            {"action": action, "state": reviews.STATE_WORDS[reviews.state_of(action)]})
    for upload in shown:
        upload.decisions = decisions.get(upload.sha256, []) if upload.stored_path else []
        status = statuses.get((upload.stored_path, upload.sha256))
        upload.run_status = status
        upload.run_status_zh = (STATUS_WORDS.get(status, status) if status
                                else "等待下次运行" if upload.stored_path else "")
    return shown


@needs(lambda scope: scope.uploads)
@require_http_methods(["GET", "POST"])
def upload(request):
    scope = _scope(request)
    received, refusal = [], None
    if request.method == "POST":
        files = request.FILES.getlist("files")
        refusal = uploads.limits_problem([(f.name, f.size) for f in files])
        if refusal is None:
            received = uploads.receive(
                [uploads.Received(f.name, f.read()) for f in files], request.user, scope)
    status = 413 if refusal and request.method == "POST" else 200
    return render(request, "portal/upload.html", {
        "uploads": _with_status(received), "refusal": refusal,
        "max_files": uploads.settings.MAX_UPLOAD_FILES,
        "max_mb": uploads.settings.MAX_UPLOAD_MB}, status=status)


def upload_list(request):
    shown = _with_status(list(_visible_uploads(request)[:500]))
    return render(request, "portal/uploads.html", {"uploads": shown})


def upload_detail(request, pk: int):
    found = _with_status([get_object_or_404(_visible_uploads(request), pk=pk)])
    return render(request, "portal/upload_detail.html", {"upload": found[0]})


def upload_annotated(request, pk: int):
    found = get_object_or_404(_visible_uploads(request), pk=pk, has_annotated=True)
    path = uploads.annotated_path(found)
    if not path.is_file():
        raise Http404
    from pipelines.authoring.annotate import annotated_name

    return attachment(path, annotated_name(found.original_name),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def upload_file(request, pk: int):
    """The file as uploaded (from the raw folder, where it was stored)."""
    found = get_object_or_404(_visible_uploads(request), pk=pk, outcome=Upload.STORED)
    raw_dir = uploads.Settings.from_env().raw_dir.resolve()
    path = (raw_dir / found.stored_path).resolve()
    if raw_dir not in path.parents or not path.is_file():
        raise Http404
    return attachment(path, found.original_name)


def _reviewed(scope):
    return [r for r in reviewable_reports() if scope.reviews(r.supporting_hospital,
                                                            r.recipient_hospital)]


@needs(lambda scope: scope.role in (ADMIN, "reviewer"))
def review_list(request):
    found = _reviewed(_scope(request))
    latest = reviews.latest_actions(r.report_id for r in found)
    rows = []
    for found_report in found:
        state = reviews.state_of(latest.get(found_report.report_id))
        rows.append({"report": found_report, "state": state,
                     "state_zh": reviews.STATE_WORDS[state]})
    wanted = request.GET.get("state", reviews.WAITING)
    return render(request, "portal/reviews.html", {
        "rows": [row for row in rows if wanted == "all" or row["state"] == wanted],
        "tabs": [(state, word, sum(1 for row in rows if row["state"] == state))
                 for state, word in reviews.STATE_WORDS.items()]})


def _reviewable(request, report_id: str):
    found = report(report_id)
    if found is None or not _scope(request).reviews(found.supporting_hospital,
                                                    found.recipient_hospital):
        raise Http404
    return found


@needs(lambda scope: scope.role in (ADMIN, "reviewer"))
def review_detail(request, report_id: str):
    found = _reviewable(request, report_id)
    history = ReviewAction.objects.filter(report_id=report_id).select_related("acted_by")
    latest = reviews.latest_actions([report_id]).get(report_id)
    return render(request, "portal/review_detail.html", {
        "report": found, "values": report_values(report_id),
        "issues": file_issues(found.sha256), "history": history,
        "state": reviews.state_of(latest),
        "state_zh": reviews.STATE_WORDS[reviews.state_of(latest)]})


@needs(lambda scope: scope.role in (ADMIN, "reviewer"))
@require_POST
def review_act(request, report_id: str):
    found = _reviewable(request, report_id)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()
    state = reviews.state_of(reviews.latest_actions([report_id]).get(report_id))
    allowed = {ReviewAction.APPROVE: state != reviews.APPROVED,
               ReviewAction.RETURN: state != reviews.RETURNED,
               ReviewAction.WITHDRAW: state == reviews.APPROVED}
    if not allowed.get(action):
        raise PermissionDenied
    if action == ReviewAction.RETURN and not reason:
        messages.error(request, "退回时请写明原因，报送人会看到这段话。")
        return HttpResponseRedirect(reverse("review_detail", args=[report_id]))
    ReviewAction.objects.create(
        report_id=found.report_id, sha256=found.sha256, file_path=found.file_path,
        sheet=found.sheet or "", supporting_hospital=found.supporting_hospital,
        recipient_hospital=found.recipient_hospital, department=found.department or "",
        period_start=found.period_start, period_end=found.period_end, action=action,
        reason=reason, acted_by=request.user)
    reviews.export_actions()
    done = dict(ReviewAction.ACTIONS)[action]
    messages.success(request, f"已{done}：{found.file_path}（{found.sheet or found.form_type}）")
    return HttpResponseRedirect(reverse("review_list"))
