"""The Assistant panel beside the canvas, and the Accept/Discard bar over a previewed proposal.

Every message is rendered as plain text (``rx.text``): what the user typed and what a model
answered are never interpreted as markup.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from builder.state.chat import MAX_MESSAGE, ChatState
from runtime.tenant.industry import PROFILES

ROLE_LABELS = (("user", "You"), ("assistant", "Assistant"), ("error", "Not answered"))


def _message(message: ObjectVar[dict[str, str]]) -> rx.Component:
    role = message["role"]
    return rx.box(
        rx.text(rx.match(role, *ROLE_LABELS, role), size="1", weight="bold", color_scheme="gray"),
        rx.text(message["text"], size="2", white_space="pre-wrap"),
        rx.cond(
            message["note"] != "",
            rx.text(
                message["note"],
                size="1",
                color_scheme="amber",
                custom_attrs={"data-testid": "chat-diagnostics"},
            ),
        ),
        rx.cond(
            message["turn"] != "-1",
            rx.button(
                rx.icon("eye", size=12),
                "Preview on canvas",
                on_click=ChatState.preview_turn(message["turn"]),  # type: ignore[operator]
                size="1",
                variant="ghost",
                margin_top="4px",
            ),
        ),
        padding="8px 10px",
        border_radius="8px",
        background=rx.match(
            role,
            ("user", "var(--accent-a3)"),
            ("error", "var(--red-a3)"),
            "var(--gray-a3)",
        ),
        margin_left=rx.cond(role == "user", "24px", "0"),
        custom_attrs={"data-testid": "chat-message", "data-role": role},
    )


def _conversation(row: ObjectVar[dict[str, str]]) -> rx.Component:
    conversation_id = row["id"]
    return rx.hstack(
        rx.box(
            rx.text(
                row["title"], size="2", trim="both", custom_attrs={"data-testid": "chat-title"}
            ),
            rx.text(row["when"], size="1", color_scheme="gray"),
            on_click=ChatState.open_conversation(conversation_id),  # type: ignore[operator]
            cursor="pointer",
            flex="1",
            min_width="0",
            custom_attrs={"role": "button", "tabIndex": 0},
        ),
        rx.icon_button(
            rx.icon("trash-2", size=12),
            on_click=ChatState.delete_conversation(conversation_id),  # type: ignore[operator]
            size="1",
            variant="ghost",
            color_scheme="red",
            title="Delete this conversation",
            custom_attrs={"data-testid": "chat-delete"},
        ),
        align="center",
        width="100%",
        padding="4px 0",
        border_bottom="1px solid var(--gray-a4)",
        background=rx.cond(ChatState.conversation_id == conversation_id, "var(--accent-a2)", ""),
        custom_attrs={"data-testid": "chat-conversation"},
    )


def _industry() -> rx.Component:
    """Outside the message form: resetting the form after a send must not reset it.

    Spelled out rather than ``rx.select(items)``, which shows each value as its own label.
    """
    return rx.select.root(
        rx.select.trigger(
            placeholder="Industry (your organisation's)",
            custom_attrs={"data-testid": "chat-industry"},
        ),
        rx.select.content(
            rx.select.group(
                *(rx.select.item(p.label, value=p.id) for p in PROFILES.values()),
            ),
        ),
        value=ChatState.industry,
        on_change=ChatState.set_industry,
        size="1",
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    name="message",
                    placeholder="Describe a workflow, or a change to this one",
                    max_length=MAX_MESSAGE,
                    auto_complete="off",
                    flex="1",
                    custom_attrs={"data-testid": "chat-input"},
                ),
                rx.button(
                    rx.icon("send", size=14),
                    "Send",
                    type="submit",
                    loading=ChatState.sending,
                    custom_attrs={"data-testid": "chat-send"},
                ),
                width="100%",
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=ChatState.send,
        reset_on_submit=True,
        width="100%",
    )


def chat_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Assistant", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=12),
                "New chat",
                on_click=ChatState.new_conversation,
                size="1",
                variant="soft",
                custom_attrs={"data-testid": "chat-new"},
            ),
            width="100%",
            align="center",
        ),
        rx.text(
            "Proposals are previewed on the canvas; nothing changes until you accept.",
            size="1",
            color_scheme="gray",
        ),
        rx.vstack(
            rx.foreach(ChatState.messages, _message),
            rx.cond(
                ChatState.sending,
                rx.hstack(rx.spinner(size="1"), rx.text("Thinking…", size="1"), align="center"),
            ),
            width="100%",
            spacing="2",
            custom_attrs={"data-testid": "chat-messages"},
        ),
        _industry(),
        _composer(),
        rx.divider(),
        rx.text("Your conversations", size="1", weight="bold", color_scheme="gray"),
        rx.cond(
            ChatState.conversations.length() > 0,
            rx.vstack(
                rx.foreach(ChatState.conversations, _conversation),
                width="100%",
                spacing="0",
            ),
            rx.text("None saved yet.", size="1", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "chat-panel"},
    )


def proposal_bar() -> rx.Component:
    """Over the canvas while a proposal is previewed: what it changes, Accept, Discard."""
    return rx.cond(
        ChatState.previewing,
        rx.hstack(
            rx.icon("sparkles", size=16),
            rx.text(
                "Proposal: " + ChatState.preview_summary,
                size="2",
                white_space="nowrap",
                custom_attrs={"data-testid": "proposal-summary"},
            ),
            rx.button(
                rx.icon("check", size=14),
                "Accept",
                on_click=ChatState.accept,
                size="1",
                color_scheme="green",
                custom_attrs={"data-testid": "proposal-accept"},
            ),
            rx.button(
                rx.icon("x", size=14),
                "Discard",
                on_click=ChatState.discard,
                size="1",
                variant="soft",
                color_scheme="gray",
                custom_attrs={"data-testid": "proposal-discard"},
            ),
            align="center",
            spacing="3",
            position="absolute",
            top="12px",
            left="50%",
            transform="translateX(-50%)",
            z_index="10",
            padding="6px 12px",
            border_radius="8px",
            background="var(--color-panel-solid)",
            box_shadow="var(--shadow-3)",
            custom_attrs={"data-testid": "proposal-bar"},
        ),
    )
