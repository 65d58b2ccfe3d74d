"""Picks the handler for a message: buttons, then commands, then open dialogs, then text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.context import HandlerContext

Handler = Callable[[HandlerContext], Awaitable[None]]
Matcher = Callable[[HandlerContext], bool]


@dataclass(frozen=True)
class Route:
    name: str
    handler: Handler
    linked: bool  # only for people whose account is linked to a contact
    roles: tuple[str, ...] = ()  # empty: any role


class Router:
    """Ordered routes; each feature module adds its own through `register(router)`."""

    def __init__(self) -> None:
        self._commands: dict[str, Route] = {}
        self._callbacks: dict[str, Route] = {}
        self._states: dict[str, Route] = {}
        self._texts: list[tuple[Matcher, Route]] = []
        self._not_linked: Route | None = None
        self._forbidden: Route | None = None
        self._fallback: Route | None = None
        self._stale_button: Route | None = None
        self._unsupported: Route | None = None

    # ------------------------------------------------------------------ registration

    def command(
        self, *names: str, linked: bool = True, roles: tuple[str, ...] = ()
    ) -> Callable[[Handler], Handler]:
        def add(fn: Handler) -> Handler:
            for name in names:
                self._commands[name] = Route(fn.__name__, fn, linked, roles)
            return fn

        return add

    def callback(
        self, prefix: str, *, linked: bool = True, roles: tuple[str, ...] = ()
    ) -> Callable[[Handler], Handler]:
        """Button presses whose data starts with `prefix:`."""

        def add(fn: Handler) -> Handler:
            self._callbacks[prefix] = Route(fn.__name__, fn, linked, roles)
            return fn

        return add

    def state(self, name: str, *, roles: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        """Free text while the chat's dialog is in state `name` (always a linked person)."""

        def add(fn: Handler) -> Handler:
            self._states[name] = Route(fn.__name__, fn, True, roles)
            return fn

        return add

    def text(
        self, matcher: Matcher, *, linked: bool = True, roles: tuple[str, ...] = ()
    ) -> Callable[[Handler], Handler]:
        def add(fn: Handler) -> Handler:
            self._texts.append((matcher, Route(fn.__name__, fn, linked, roles)))
            return fn

        return add

    def not_linked(self, fn: Handler) -> Handler:
        """For strangers whose message no route open to them took."""
        self._not_linked = Route(fn.__name__, fn, False)
        return fn

    def forbidden(self, fn: Handler) -> Handler:
        """For a linked person asking what their role may not see."""
        self._forbidden = Route(fn.__name__, fn, True)
        return fn

    def stale_button(self, fn: Handler) -> Handler:
        """For a press whose data no route knows: an old keyboard, or forged data."""
        self._stale_button = Route(fn.__name__, fn, False)
        return fn

    def unsupported(self, fn: Handler) -> Handler:
        """For something the platform delivered but the bot cannot read (no text, no file)."""
        self._unsupported = Route(fn.__name__, fn, False)
        return fn

    def fallback(self, fn: Handler) -> Handler:
        self._fallback = Route(fn.__name__, fn, True)
        return fn

    # ------------------------------------------------------------------ dispatch

    def commands(self) -> list[str]:
        return sorted(self._commands)

    def routes(self) -> list[tuple[str, str, Route]]:
        """Every registered route as (kind, key, route): what a role audit walks through."""
        found = [("command", name, r) for name, r in self._commands.items()]
        found += [("callback", prefix, r) for prefix, r in self._callbacks.items()]
        found += [("state", name, r) for name, r in self._states.items()]
        found += [("text", r.name, r) for _matcher, r in self._texts]
        return found

    def _pick(self, ctx: HandlerContext) -> Route | None:
        msg = ctx.message
        if msg.callback_data is not None:
            route = self._callbacks.get(msg.callback_data.split(":", 1)[0])
            if route is None and ctx.contact is not None:
                return self._stale_button
            return route
        if msg.command is not None:
            return self._commands.get(msg.command)
        if msg.unsupported and not msg.text.strip() and not msg.attachments:
            # Before any open dialog: a voice note is not the reason or the date asked for.
            return self._unsupported
        state = ctx.state
        if state is not None and state in self._states and ctx.contact is not None:
            return self._states[state]
        for matcher, route in self._texts:
            # A text route for other roles is passed over, not refused: the same words may
            # have a route for this person's role further down (a focal point's own-agency
            # question after the coordinators' plan-wide one).
            if route.roles and ctx.role not in route.roles:
                continue
            if (ctx.contact is not None or not route.linked) and matcher(ctx):
                return route
        return self._fallback if ctx.contact is not None else None

    async def dispatch(self, ctx: HandlerContext) -> str:
        """Run the handler for this message and return its name (stored with the message)."""
        route = self._pick(ctx)
        if route is None or (route.linked and ctx.contact is None):
            route = self._not_linked
        elif route.roles and ctx.role not in route.roles:
            route = self._forbidden
        if route is None:
            raise LookupError("no handler for this message and no not_linked route registered")
        ctx.handled_by = route.name
        await route.handler(ctx)
        return route.name
