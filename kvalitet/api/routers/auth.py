"""Who am I, and user management for admins (tokens are shown once, when made)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from kvalitet.container import Services
from kvalitet.workspace.auth import User
from kvalitet.workspace.views import NewUser, Role, UserView
from kvalitet.api.auth import AuthRoute, current_user, require_admin
from kvalitet.api.deps import get_services

router = APIRouter(prefix="/api", tags=["användare"], route_class=AuthRoute)


class UserIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    role: Role
    unit: str | None = Field(None, max_length=200)


class UsersOut(BaseModel):
    users: list[UserView]


@router.get("/me", response_model=UserView)
def me(user: User = Depends(current_user)):
    return UserView(id=user.id, name=user.name, role=user.role, unit=user.unit)


@router.get("/users", response_model=UsersOut)
def list_users(user: User = Depends(require_admin), svc: Services = Depends(get_services)):
    return UsersOut(users=svc.workspace.list_users(actor=user))


@router.post("/users", response_model=NewUser, status_code=201)
def create_user(body: UserIn, user: User = Depends(require_admin), svc: Services = Depends(get_services)):
    """Create a user; the response carries the token, which is not stored and not shown again."""
    return svc.workspace.add_user(body.name, body.role, body.unit, actor=user)


@router.post("/users/{name}/token", response_model=NewUser)
def rotate_token(name: str, user: User = Depends(require_admin), svc: Services = Depends(get_services)):
    """A new token for the user; the old one stops working."""
    return svc.workspace.rotate_token(name, actor=user)


@router.post("/users/{name}/deactivate", response_model=UserView)
def deactivate(name: str, user: User = Depends(require_admin), svc: Services = Depends(get_services)):
    return svc.workspace.set_active(name, False, actor=user)
