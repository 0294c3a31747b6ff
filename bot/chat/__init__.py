"""The chat layer: one event in (bot/chat/events.py), replies out, the same on every channel.

How an event is answered:
  reading.py   the event → ONE request record (requests.py; taps.py for buttons): a button's, a file's, a slash command's
               (commands.py's table: `Command(..., read=...)` turns its arguments into a record), or what plain
               words ask (ask.py, over bot.nlu: Report, Defer, Decide, SetDeadline, Nudge, ShowTasks, Ask…).
  router.py    ONE table: record type → handler `(ctx, record) -> list[OutboundMessage] | record`. A handler
               never re-reads text; it may hand back another record to answer instead ("逾期的" → /overdue's).
  handlers     by feature: queries.py (questions), actions.py (unit staff's writes), admin.py (the office),
               answers.py (plain-words questions by kind), nudge.py (催办). Workflows live in bot/services and
               wording in bot/render.

Adding a flow (e.g. 签收):
  1. a frozen record in requests.py (`@dataclass(frozen=True) class SignFor: ref: str`);
  2. a parser rule that makes it: a slash command (`Command("signfor", None, Needs.BOUND, usage, summary,
     read=lambda args: SignFor(args[0]), min_args=1)` in the feature's `commands()`), and/or a plain-words rule in
     ask.request_of (from the nlu's Kind);
  3. its handler in a feature module (a new bot/chat/<feature>.py), listed by that module's `routes()`
     ({SignFor: on_sign_for}), and the module added to the Router's tables in service.py;
  4. a button: append an Action to bot/services/buttons.py, and in taps.py a Tap subclass registered with
     `@_tap(Action.X[, admin=True])`; `TapX(ident, arg).data(ctx.key)` is the signed data, and the router hands
     the tap to the handler its `routes()` lists (admin-only taps are refused for others before that).
"""
