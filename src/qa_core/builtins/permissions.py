"""The default permission policy (rules.permissions.POLICY) as a plugin."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..rules.permissions import PermissionRequest, default_decision


@hookimpl(trylast=True)
def qa_check_permission(request: PermissionRequest) -> bool:
    return default_decision(request)
