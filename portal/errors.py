"""403 and 404 in Chinese, saying no more than that."""

from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "portal/error.html", {"title": "无权访问",
                  "text": "您的账号无权查看此页面。"}, status=403)


def not_found(request, exception=None):
    return render(request, "portal/error.html", {"title": "找不到页面",
                  "text": "没有这个页面，或您的账号无权查看。"}, status=404)
