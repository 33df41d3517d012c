"""`bangfu user add`: create or update a portal account with its role and where it belongs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Account
from portal.registry import registry
from portal.scopes import ADMIN, ROLES, VIEWER


class AccountError(ValueError):
    """What is wrong with the command's arguments, in Chinese."""


@dataclass(frozen=True)
class Added:
    user: User
    created: bool
    hospital: str
    province: str


def add_user(username: str, role: str, password: str, *, hospital: str | None = None,
             province: str | None = None, department: str | None = None) -> Added:
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效，可选 {'、'.join(ROLES)}")
    if hospital and province:
        raise AccountError("--hospital 和 --province 只能给出一个")
    current = registry()
    canonical, chosen_province = "", ""
    if province:
        if role != VIEWER:
            raise AccountError("只有 viewer（查看）账号可以按省份（--province）设置范围")
        if province not in set(current.provinces.values()):
            raise AccountError(f"省份“{province}”不在登记表中；登记表中的省份："
                               f"{'、'.join(sorted(set(current.provinces.values())))}")
        chosen_province = province
    elif hospital:
        canonical = current.hospital(hospital) or ""
        if not canonical:
            raise AccountError(f"医院“{hospital}”不在登记表中（名称和简称都找不到）；"
                               f"登记表中的医院：{'、'.join(current.provinces)}")
    elif role != ADMIN:
        raise AccountError(f"{role} 账号需要 --hospital（或 viewer 的 --province）")
    if not password:
        raise AccountError("没有读到密码：请从标准输入给出密码")
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AccountError("密码不符合要求：" + "；".join(error.messages)) from None
        user.set_password(password)
        user.is_staff = user.is_superuser = role == ADMIN
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        Account.objects.update_or_create(user=user, defaults={
            "hospital": canonical, "province": chosen_province, "department": department or ""})
    return Added(user, created, canonical, chosen_province)
