"""The browser's own "Leave site? Changes you made may not be saved." prompt, and Ctrl+S.

A tiny React component (no markup) that holds a ``beforeunload`` listener while ``active``
is true: reloading, closing the tab or typing another address then asks first. Navigation
inside the app is guarded by the shell's sidebar instead (``DocumentState.navigate``).
Ctrl+S (Cmd+S) calls ``on_save`` instead of the browser's "save page as".
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportDict, ImportVar

GUARD_JS = """
function AuterityUnsavedGuard({ active, onSave }) {
  useEffect(() => {
    const keys = (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        if (onSave) onSave();
      }
    };
    window.addEventListener("keydown", keys);
    return () => window.removeEventListener("keydown", keys);
  }, [onSave]);
  useEffect(() => {
    if (!active) return undefined;
    const ask = (event) => {
      event.preventDefault();
      event.returnValue = "";
      return "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [active]);
  return null;
}
"""


class UnsavedGuard(rx.Component):
    library = None
    tag = "AuterityUnsavedGuard"

    active: rx.Var[bool]
    on_save: rx.EventHandler[rx.event.no_args_event_spec]  # type: ignore[type-arg,valid-type]

    def add_imports(self) -> ImportDict:
        hooks: list[str | ImportVar] = ["useEffect"]
        return {"react": hooks}

    def add_custom_code(self) -> list[str]:
        return [GUARD_JS]


unsaved_guard = UnsavedGuard.create
