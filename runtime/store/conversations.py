"""AI chat conversations: one item each, readable only by the principal that started it.

A conversation grows by appending turns with a revision check, so two tabs of the same user
cannot silently drop each other's messages. To stay within one item, only the newest turns
keep their proposed graphs, and the oldest turns go first when it still does not fit.
"""

from __future__ import annotations

from itertools import islice

from runtime.core.clock import utc_now
from runtime.store import codec
from runtime.store.access import ConditionFailed
from runtime.store.errors import Conflict, InvalidInput, NotFound
from runtime.store.ids import time_ordered_id
from runtime.store.models import ChatTurn, Conversation
from runtime.store.scoped import Scoped, model_from

MAX_TURNS = 60
GRAPHS_KEPT = 4
"""Assistant turns, newest first, that keep their graph; older ones keep only the text."""
MAX_LIST = 200
ITEM_BUDGET = codec.MAX_ITEM_BYTES - 10_000


class ConversationOps(Scoped):
    def _conversation_fields(self, conversation: Conversation) -> dict[str, object]:
        key = self._keys.conversation(conversation.owner, conversation.conversation_id)
        return {"PK": key.pk, "SK": key.sk, **conversation.model_dump(mode="json")}

    def create_conversation(self, owner: str, title: str) -> Conversation:
        now = utc_now()
        conversation = Conversation(
            conversation_id=time_ordered_id(),
            owner=owner,
            title=title.strip()[:120] or "Untitled",
            created_at=now,
            updated_at=now,
        )
        self._table.put_new(self._conversation_fields(conversation))
        return conversation

    def get_conversation(self, owner: str, conversation_id: str) -> Conversation:
        """Another principal's conversation is ``NotFound``, exactly like a missing one."""
        try:
            key = self._keys.conversation(owner, conversation_id)
        except InvalidInput:
            raise NotFound(f"conversation {conversation_id!r}") from None
        fields = self._table.get(key)
        if fields is None:
            raise NotFound(f"conversation {conversation_id!r}")
        return model_from(Conversation, fields)

    def list_conversations(self, owner: str, limit: int = 50) -> list[Conversation]:
        """Newest first, without their turns (open one to read it)."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST}, not {limit}")
        items = self._table.query(
            self._keys.chats,
            prefix=self._keys.conversations_of(owner),
            newest_first=True,
            attributes=(
                "conversation_id",
                "owner",
                "title",
                "created_at",
                "updated_at",
                "dropped_turns",
                "revision",
            ),
        )
        return [model_from(Conversation, fields) for fields in islice(items, limit)]

    def append_turns(self, conversation: Conversation, turns: list[ChatTurn]) -> Conversation:
        """Add turns to ``conversation`` as read; ``Conflict`` if it changed since."""
        updated = _bounded(
            conversation.model_copy(
                update={
                    "turns": [*conversation.turns, *turns],
                    "updated_at": utc_now(),
                    "revision": conversation.revision + 1,
                }
            )
        )
        try:
            self._table.put(
                self._conversation_fields(updated),
                condition="#revision = :revision",
                values={":revision": conversation.revision},
            )
        except ConditionFailed as exc:
            if exc.old is None:
                raise NotFound(f"conversation {conversation.conversation_id!r}") from None
            raise Conflict(
                "the conversation changed since it was read; reload it",
                current_version=int((exc.fields or {}).get("revision", 0)),
            ) from None
        return updated

    def delete_conversation(self, owner: str, conversation_id: str) -> None:
        try:
            key = self._keys.conversation(owner, conversation_id)
        except InvalidInput:
            raise NotFound(f"conversation {conversation_id!r}") from None
        try:
            self._table.delete(key, condition="attribute_exists(#PK)")
        except ConditionFailed:
            raise NotFound(f"conversation {conversation_id!r}") from None


def _bounded(conversation: Conversation) -> Conversation:
    turns = list(conversation.turns)
    dropped = conversation.dropped_turns
    if len(turns) > MAX_TURNS:
        dropped += len(turns) - MAX_TURNS
        turns = turns[-MAX_TURNS:]
    kept = 0
    for index in range(len(turns) - 1, -1, -1):
        if turns[index].graph is not None:
            kept += 1
            if kept > GRAPHS_KEPT:
                turns[index] = turns[index].model_copy(update={"graph": None})
    result = conversation.model_copy(update={"turns": turns, "dropped_turns": dropped})
    while len(result.turns) > 1 and _size(result) > ITEM_BUDGET:
        result = result.model_copy(
            update={"turns": result.turns[1:], "dropped_turns": result.dropped_turns + 1}
        )
    return result


def _size(conversation: Conversation) -> int:
    return len(codec.pack(conversation.model_dump(mode="json")))
