"""What every page's template knows: the account's scope (the menu shows what it may use)."""

from portal.scopes import scope_of


def scope(request) -> dict:
    return {"portal_scope": scope_of(request.user)}
