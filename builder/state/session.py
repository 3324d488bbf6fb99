"""Who is logged in.

The bearer token (kept in the browser's localStorage, so a reload keeps
the session) and what ``GET /api/v1/auth/me`` says about it.

Every page except the login page runs ``SessionState.require_login`` on load; other states
get an ``Api`` for the current user with ``await api_for(self)`` and turn an ``ServiceError``
into what the user sees with ``await failed(self, exc)`` (a 401 logs out and goes to login).
"""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from builder import routes
from builder.client.api import Api, ServiceError
from builder.state.theme import ThemeState
from builder.views import present
from runtime.service.schemas import Me, Session

TOKEN_KEY = "auterity_token"  # noqa: S105 - the storage key's name, not a secret


class SessionState(rx.State):
    """The session of this browser tab (shared with other tabs through localStorage)."""

    token: str = rx.LocalStorage("", name=TOKEN_KEY, sync=True)
    tenant: rx.Field[str] = rx.field("")
    tenant_name: rx.Field[str] = rx.field("")
    email: rx.Field[str] = rx.field("")
    role: rx.Field[str] = rx.field("")
    login_error: rx.Field[str] = rx.field("")
    logging_in: rx.Field[bool] = rx.field(False)
    must_choose_password: rx.Field[bool] = rx.field(False)
    """A first login with a password someone else chose: the page asks for a new one."""
    _first_token: str = ""
    _given_password: str = ""
    service_error: rx.Field[str] = rx.field("")
    """The service could not be reached while checking the session; shown in the header."""

    def api(self) -> Api:
        return Api(self.token)

    def forget(self) -> None:
        self.token = ""
        self.tenant = self.tenant_name = self.email = self.role = ""

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.email)

    @rx.var
    def can_edit(self) -> bool:
        return self.role in ("admin", "editor")

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "admin"

    def _to_login(self) -> Any:
        """To the login page, coming back here afterwards."""
        self.forget()
        url = self.router.url
        path = url.path.rstrip("/")  # the static server adds a trailing slash
        here = path + (f"?{url.query}" if url.query else "")
        return rx.redirect(routes.login(here if path else ""))

    @rx.event
    async def require_login(self) -> Any:
        """On load of every signed-in page: no valid token, no page."""
        if not self.token:
            return self._to_login()
        try:
            me = await self.api().me()
        except ServiceError as exc:
            if exc.unauthorized:
                return self._to_login()
            self.service_error = exc.message
            return None
        self.service_error = ""
        self.tenant, self.tenant_name, self.role = me.tenant, me.tenant_name, me.role
        self.email = present.actor(me.actor)
        theme = await self.get_state(ThemeState)
        await theme.use_tenant(self.api(), me.tenant)
        return None

    @rx.event
    async def skip_login_if_signed_in(self) -> Any:
        """On load of the login page: a valid session goes straight to the graphs."""
        self.login_error = ""
        self.logging_in = False
        if not self.token:
            return None
        try:
            await self.api().me()
        except ServiceError:
            self.forget()
            return None
        wanted = self.router.url.query_parameters.get("next", "")
        return rx.redirect(wanted if routes.safe_next(wanted) else routes.GRAPHS)

    @rx.event
    async def login(self, form: dict[str, Any]) -> Any:
        tenant = str(form.get("tenant", "")).strip()
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        if not (tenant and email and password):
            self.login_error = "Enter your organisation, email and password."
            return
        self.logging_in, self.login_error = True, ""
        yield
        try:
            session = await Api().login(tenant, email, password)
            if session.password_change_required:
                self.logging_in, self.must_choose_password = False, True
                self._first_token, self._given_password = session.token, password
                return
            me = await Api(session.token).me()
        except ServiceError as exc:
            self.logging_in = False
            self.login_error = (
                "Wrong organisation, email or password." if exc.unauthorized else exc.message
            )
            return
        async for step in self._signed_in(session, me):
            yield step

    @rx.event
    async def choose_password(self, form: dict[str, Any]) -> Any:
        """Second step of a first login: the new password twice, then a normal session."""
        new, again = str(form.get("new_password", "")), str(form.get("repeat_password", ""))
        if new != again:
            self.login_error = "The two passwords differ."
            return
        self.logging_in, self.login_error = True, ""
        yield
        try:
            session = await Api(self._first_token).change_password(self._given_password, new)
            me = await Api(session.token).me()
        except ServiceError as exc:
            self.logging_in = False
            self.login_error = exc.message.removeprefix("new_password: ")
            if exc.unauthorized:  # the password-only token expired: start again
                self.must_choose_password = False
            return
        self._first_token = self._given_password = ""
        self.must_choose_password = False
        async for step in self._signed_in(session, me):
            yield step

    async def _signed_in(self, session: Session, me: Me) -> Any:
        self.logging_in = False
        self.token = session.token
        self.tenant, self.email, self.role = session.tenant, session.email, session.role
        self.tenant_name = me.tenant_name
        wanted = self.router.url.query_parameters.get("next", "")
        yield rx.redirect(wanted if routes.safe_next(wanted) else routes.GRAPHS)

    @rx.event
    async def logout(self) -> Any:
        """Back to the login page, which shows the tenant's brand (the next login may differ).

        The service ends the session first; if it cannot be reached (or the session had ended
        already), the token is still forgotten here and dies with its expiry.
        """
        tenant = self.tenant
        if self.token:
            with contextlib.suppress(ServiceError):
                await self.api().logout()
        self.forget()
        theme = await self.get_state(ThemeState)
        theme.use_default()
        return rx.redirect(routes.login_to(tenant))


async def api_for(state: rx.State) -> Api:
    session = await state.get_state(SessionState)
    return session.api()


async def failed(state: rx.State, exc: ServiceError, doing: str = "") -> Any:
    """What a page does with an error answer: log out on 401, otherwise say what happened."""
    if exc.unauthorized:
        session = await state.get_state(SessionState)
        session.forget()
        return [rx.toast.error("Your session has ended; log in again."), rx.redirect(routes.LOGIN)]
    prefix = f"{doing}: " if doing else ""
    return rx.toast.error(prefix + exc.message, duration=8000)
