"""The Users area: the own port's accounts (add one with a role, change its role or password, delete one; never
the last admin) and who owns which tags (an account's, or a Home Assistant user's as seen behind ingress) — for admins;
and for everyone signed in with an account, their own password (/account).

Every form is checked whole before anything changes, and the account book is saved all or nothing."""

from __future__ import annotations

from aiohttp import web

from .. import passwords
from ..accounts import Account
from ..commands import Notice
from ..context import Context
from ..registry import ADMIN, USER, page
from ..sessions import COOKIE
from ..user_forms import FormError, account_name, new_password, owner_name, role, tags


def _local_name(ctx: Context) -> str | None:
    """The account name of who asks, when they signed in with an account (the own port)."""
    if ctx.user is None or not ctx.user.key.startswith("local:"):
        return None
    return ctx.user.key.removeprefix("local:")


def _users(ctx: Context, status: int = 200, notice: Notice | None = None, failed: str | None = None) -> web.Response:
    ctx.page_path = "/users"
    book = ctx.state.accounts
    ha_users = sorted(book.ha_users.items(), key=lambda item: item[1].casefold())
    # a Home Assistant user with tags but not seen since (an older book): listed by id
    ha_users += [(user_id, user_id) for user_id in book.ha_user_tags if user_id not in book.ha_users]
    return ctx.render(
        "users.html", status=status, notice=notice, failed=failed,
        accounts=sorted(book.accounts.values(), key=lambda a: a.name.casefold()),
        ha_users=ha_users, ha_user_tags=book.ha_user_tags, me=_local_name(ctx),
    )  # fmt: skip


def _account(ctx: Context, status: int = 200, notice: Notice | None = None) -> web.Response:
    ctx.page_path = "/account"
    me = _local_name(ctx)
    own = ctx.state.accounts.own_tags(ctx.user.key) if ctx.user is not None else []
    return ctx.render("account.html", status=status, notice=notice, me=me, own_tags=own)


def _error(ctx: Context, err: FormError) -> Notice:
    return Notice(False, ctx.t(err.key, **err.values), err.field)


def _saved(ctx: Context, key: str, **values: object) -> Notice:
    return Notice(True, ctx.t(key, **values))


@page("/users", role=ADMIN, nav="users.nav")
async def users_page(request: web.Request, ctx: Context) -> web.Response:
    return _users(ctx)


@page("/users/add", method="POST", role=ADMIN)
async def add_account(request: web.Request, ctx: Context) -> web.Response:
    book = ctx.state.accounts
    try:
        name = account_name(book, ctx.field("name"))
        password = new_password(_raw(ctx, "password"), _raw(ctx, "password_again"))
        chosen = role(ctx.field("role"))
    except FormError as err:
        return _users(ctx, 400, _error(ctx, err), "add")
    hashed = await passwords.async_hash(password)
    try:
        with book.change():
            book.accounts[name] = Account(name, chosen, hashed)
    except OSError:
        return _users(ctx, 500, Notice(False, ctx.t("users.error.save")), "add")
    return _users(ctx, notice=_saved(ctx, "users.done.added", name=name))


@page("/users/delete", method="POST", role=ADMIN)
async def delete_account(request: web.Request, ctx: Context) -> web.Response:
    book = ctx.state.accounts
    name = ctx.field("name")
    account = book.accounts.get(name)
    if account is None:
        return _users(ctx, 404, Notice(False, ctx.t("users.error.no_account", name=name)))
    if account.role == ADMIN and book.admins() == [name]:
        return _users(ctx, 409, Notice(False, ctx.t("users.error.last_admin", name=name)))
    try:
        with book.change():
            del book.accounts[name]
    except OSError:
        return _users(ctx, 500, Notice(False, ctx.t("users.error.save")))
    ctx.state.sessions.end_account(name)
    if name == _local_name(ctx):  # who deleted their own account is signed out
        return ctx.redirect("/login")
    return _users(ctx, notice=_saved(ctx, "users.done.deleted", name=name))


@page("/users/role", method="POST", role=ADMIN)
async def change_role(request: web.Request, ctx: Context) -> web.Response:
    """Promote an account to admin or make an admin a user again (never the last admin). The role is read from the
    book on every request, so it holds at once, in every session of that account."""
    book = ctx.state.accounts
    name = ctx.field("name")
    account = book.accounts.get(name)
    if account is None:
        return _users(ctx, 404, Notice(False, ctx.t("users.error.no_account", name=name)))
    try:
        chosen = role(ctx.field("role"))
    except FormError as err:
        return _users(ctx, 400, _error(ctx, err), "role:" + name)
    if chosen == account.role:
        return _users(ctx, notice=_saved(ctx, "users.done.role_kept", name=name))
    if account.role == ADMIN and book.admins() == [name]:
        return _users(ctx, 409, Notice(False, ctx.t("users.error.last_admin_role", name=name)), "role:" + name)
    try:
        with book.change():
            account.role = chosen
    except OSError:
        return _users(ctx, 500, Notice(False, ctx.t("users.error.save")), "role:" + name)
    if name == _local_name(ctx):  # who made themselves a user may no longer see this page
        return ctx.redirect("/account")
    return _users(ctx, notice=_saved(ctx, f"users.done.role.{chosen}", name=name))


@page("/users/tags", method="POST", role=ADMIN)
async def link_tags(request: web.Request, ctx: Context) -> web.Response:
    book = ctx.state.accounts
    owner = ctx.field("owner")
    source, _, name = owner.partition(":")
    known = name in book.accounts if source == "local" else source == "ha" and (
        name in book.ha_users or name in book.ha_user_tags
    )  # fmt: skip
    if not known:
        return _users(ctx, 404, Notice(False, ctx.t("users.error.no_account", name=name)))
    try:
        linked = tags(book, owner, ctx.field("tags"))
    except FormError as err:
        return _users(ctx, 400, _error(ctx, err), owner)
    try:
        with book.change():
            book.set_tags(owner, linked)
    except OSError:
        return _users(ctx, 500, Notice(False, ctx.t("users.error.save")), owner)
    return _users(ctx, notice=_saved(ctx, "users.done.tags", name=owner_name(book, owner)))


@page("/account", role=USER)
async def account_page(request: web.Request, ctx: Context) -> web.Response:
    return _account(ctx)


@page("/users/password", method="POST", role=USER)
async def change_password(request: web.Request, ctx: Context) -> web.Response:
    """An admin sets any account's password; everyone signed in with an account their own (with the current one)."""
    book = ctx.state.accounts
    me = _local_name(ctx)
    name = ctx.field("name")
    own = name == me
    is_admin = ctx.user is not None and ctx.user.is_admin
    answer = _users if is_admin and ctx.field("from") == "users" else _account
    if not own and not is_admin:
        return _account(ctx, 403, Notice(False, ctx.t("core.error.admins_only")))
    account = book.accounts.get(name)
    if account is None:
        return answer(ctx, 404, Notice(False, ctx.t("users.error.no_account", name=name)))
    try:
        if own and not await passwords.async_matches(account.password, _raw(ctx, "current")):
            raise FormError("users.error.current", "current")
        password = new_password(_raw(ctx, "password"), _raw(ctx, "password_again"))
    except FormError as err:
        if answer is _users:
            return _users(ctx, 400, _error(ctx, err), "password:" + name)
        return _account(ctx, 400, _error(ctx, err))
    hashed = await passwords.async_hash(password)
    try:
        with book.change():
            book.accounts[name].password = hashed
    except OSError:
        return answer(ctx, 500, Notice(False, ctx.t("users.error.save")))
    # signed out everywhere else (who changed their own stays signed in here)
    ctx.state.sessions.end_account(name, keep=request.cookies.get(COOKIE) if own else None)
    return answer(ctx, notice=_saved(ctx, "users.done.password", name=name))


def _raw(ctx: Context, name: str) -> str:
    """A password field as typed (not stripped: spaces may be part of it)."""
    value = ctx.form.get(name) if ctx.form is not None else None
    return value if isinstance(value, str) else ""
