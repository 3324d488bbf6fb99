// Editing on the canvas: keyboard shortcuts, copy/paste, centring on a node, and edges that
// show their validation problems. Added as custom code before auterity_flow.jsx, which uses
// these helpers; imports come from AuterityFlow's add_imports (React's hooks, BaseEdge,
// EdgeLabelRenderer and getBezierPath from @xyflow/react).

const AUTERITY_CLIPBOARD_KEY = "auterity.clipboard";
const AUTERITY_SEVERITY_COLORS = { error: "#dc2626", warning: "#d97706", info: "#2563eb" };

// Typing in a form field keeps the browser's own undo, copy and paste.
const auterityIsEditable = (target) => {
  if (!target || typeof target !== "object") return false;
  const tag = (target.tagName ?? "").toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
};

const auterityHasTextSelection = () => {
  const selection = typeof window !== "undefined" ? window.getSelection?.() : null;
  return Boolean(selection && !selection.isCollapsed && selection.toString().trim());
};

// The user is working on the canvas (a node or the pane has focus, or nothing does): then
// Ctrl+C copies nodes even if a shift-drag also highlighted some page text on the way.
const auterityCanvasFocused = () => {
  const active = typeof document !== "undefined" ? document.activeElement : null;
  return !active || active === document.body || Boolean(active.closest?.(".react-flow"));
};

const auterityTextCopy = () => !auterityCanvasFocused() && auterityHasTextSelection();

// The selected nodes and the edges between them, as a *.graph.json document: the same shape
// as a graph file, so it can be pasted into another graph, another tab or a text editor.
const auterityFragment = (nodes, edges) => {
  const chosen = (nodes ?? []).filter((n) => n.selected);
  if (chosen.length === 0) return null;
  const ids = new Set(chosen.map((n) => n.id));
  return {
    schema_version: 2,
    name: "Copied nodes",
    nodes: chosen.map((n) => {
      const data = n.data ?? {};
      const node = {
        id: n.id,
        type: data.nodeType,
        version: data.version ?? 1,
        label: data.label ?? "",
        position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
        config: data.config ?? {},
        settings: data.settings ?? {},
      };
      if (data.parent && ids.has(data.parent)) node.parent = data.parent;
      return node;
    }),
    edges: (edges ?? [])
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({
        source: e.source,
        source_port: e.sourceHandle ?? "out",
        target: e.target,
        target_port: e.targetHandle ?? "in",
      })),
  };
};

const auterityRemember = (text) => {
  try {
    window.localStorage.setItem(AUTERITY_CLIPBOARD_KEY, text);
  } catch (_) {
    // Storage may be disabled; the system clipboard still has the text.
  }
};

const auterityRecall = () => {
  try {
    return window.localStorage.getItem(AUTERITY_CLIPBOARD_KEY) ?? "";
  } catch (_) {
    return "";
  }
};

// The visible part of the canvas in flow coordinates (where a paste from elsewhere lands).
const auterityVisibleRect = () => {
  const flow = window.__auterityFlow;
  const pane = document.querySelector(".react-flow");
  if (!flow || !pane) return null;
  const r = pane.getBoundingClientRect();
  const a = flow.screenToFlowPosition({ x: r.left, y: r.top });
  const b = flow.screenToFlowPosition({ x: r.right, y: r.bottom });
  return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
};

// Ctrl/Cmd-Z undoes, Ctrl/Cmd-Shift-Z and Ctrl-Y redo; copy and paste go through the
// browser's clipboard events (no permission prompt) and also a per-origin copy in
// localStorage, used when the clipboard is unavailable or empty. Handlers are read through a
// ref: Reflex makes new event callbacks on every render, the listeners stay put.
const useAuterityEditing = ({ nodesRef, edgesRef, onUndo, onRedo, onPaste }) => {
  const handlers = useRef({});
  handlers.current = { onUndo, onRedo, onPaste };

  useEffect(() => {
    let copied = false;
    let pasted = false;
    const copySelection = (write) => {
      const fragment = auterityFragment(nodesRef.current, edgesRef.current);
      if (!fragment) return false;
      const text = JSON.stringify(fragment, null, 2);
      auterityRemember(text);
      write(text);
      return true;
    };
    const paste = (text) => {
      if (!text || !text.trim()) return false;
      handlers.current.onPaste?.({ text, view: auterityVisibleRect() });
      return true;
    };
    const onKeyDown = (event) => {
      if (event.defaultPrevented || auterityIsEditable(event.target)) return;
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = (event.key ?? "").toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        handlers.current.onUndo?.();
      } else if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) {
        event.preventDefault();
        handlers.current.onRedo?.();
      } else if (key === "c" && !auterityTextCopy()) {
        // Browsers fire "copy" right after this key; if one does not, copy here instead.
        copied = false;
        window.setTimeout(() => {
          if (copied) return;
          copySelection((text) => navigator.clipboard?.writeText(text).catch(() => {}));
        }, 0);
      } else if (key === "v") {
        // Likewise "paste": without one, paste what this origin copied last.
        pasted = false;
        window.setTimeout(() => {
          if (!pasted) paste(auterityRecall());
        }, 0);
      }
    };
    const onCopy = (event) => {
      if (auterityIsEditable(event.target) || auterityTextCopy()) return;
      copied = copySelection((text) => {
        if (event.clipboardData) {
          event.clipboardData.setData("text/plain", text);
          event.preventDefault();
        } else {
          navigator.clipboard?.writeText(text).catch(() => {});
        }
      });
    };
    const onPasteEvent = (event) => {
      if (auterityIsEditable(event.target)) return;
      const text = event.clipboardData?.getData("text/plain") || auterityRecall();
      pasted = true;
      if (paste(text)) event.preventDefault();
    };
    window.addEventListener("keydown", onKeyDown);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPasteEvent);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPasteEvent);
    };
  }, [nodesRef, edgesRef]);
};

// Centre the view on a node when the server asks (a click in the problems list).
const useAuterityFocus = (flowRef, focusRequest) => {
  const seq = focusRequest?.seq ?? 0;
  useEffect(() => {
    if (!seq || !focusRequest?.id) return;
    const frame = window.requestAnimationFrame(() => {
      const flow = flowRef.current;
      const node = flow?.getInternalNode(focusRequest.id);
      if (!flow || !node) return;
      const p = node.internals.positionAbsolute;
      const w = node.measured?.width ?? 0;
      const h = node.measured?.height ?? 0;
      flow.setCenter(p.x + w / 2, p.y + h / 2, { zoom: flow.getZoom(), duration: 200 });
    });
    return () => window.cancelAnimationFrame(frame);
  }, [seq]);
};

// An edge coloured by its worst diagnostic, with the first message as a label and all of
// them as the label's tooltip. Replaces React Flow's default edge type.
const AuterityEdge = memo(
  ({
    id,
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
    data,
    selected,
    markerEnd,
    style,
    interactionWidth,
  }) => {
    const [path, labelX, labelY] = getBezierPath({
      sourceX,
      sourceY,
      sourcePosition,
      targetX,
      targetY,
      targetPosition,
    });
    const problems = data?.diagnostics ?? [];
    const color = AUTERITY_SEVERITY_COLORS[data?.severity];
    const edgeStyle = color ? { ...style, stroke: color, strokeWidth: selected ? 3 : 2 } : style;
    return (
      <>
        <BaseEdge
          id={id}
          path={path}
          markerEnd={markerEnd}
          style={edgeStyle}
          interactionWidth={interactionWidth}
        />
        {problems.length > 0 && (
          <EdgeLabelRenderer>
            <div
              className="nodrag nopan auterity-edge-problem"
              data-testid={`edge-problem-${id}`}
              data-severity={data.severity}
              title={problems.map((p) => p.message).join("\n")}
              style={{
                position: "absolute",
                transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
                pointerEvents: "all",
                maxWidth: 220,
                overflow: "hidden",
                whiteSpace: "nowrap",
                textOverflow: "ellipsis",
                padding: "1px 6px",
                borderRadius: 4,
                fontSize: 10,
                fontFamily: "system-ui, sans-serif",
                color: "#ffffff",
                background: color ?? "#64748b",
                cursor: "help",
              }}
            >
              {problems[0].message}
              {problems.length > 1 ? ` (+${problems.length - 1})` : ""}
            </div>
          </EdgeLabelRenderer>
        )}
      </>
    );
  },
);

// Module level, so React Flow sees the same object on every render.
const auterityEdgeTypes = { default: AuterityEdge };

// A node's diagnostics under its ports: up to two lines, the rest in the tooltip. Zero width
// with a full min-width: the messages take the node's width and never widen it.
const auterityNodeProblems = (id, problems) => {
  if (!problems || problems.length === 0) return null;
  const shown = problems.slice(0, 2);
  return (
    <div
      className="auterity-node-problems"
      data-testid={`node-problems-${id}`}
      title={problems.map((p) => p.message).join("\n")}
      style={{
        borderTop: "1px solid #e2e8f0",
        padding: "3px 8px 4px",
        width: 0,
        minWidth: "100%",
        boxSizing: "border-box",
      }}
    >
      {shown.map((p, i) => (
        <div
          key={i}
          data-severity={p.severity}
          style={{
            fontSize: 10,
            lineHeight: "14px",
            color: AUTERITY_SEVERITY_COLORS[p.severity] ?? "#475569",
            overflow: "hidden",
            whiteSpace: "nowrap",
            textOverflow: "ellipsis",
          }}
        >
          {p.severity === "error" ? "● " : "▲ "}
          {p.message}
        </div>
      ))}
      {problems.length > shown.length && (
        <div style={{ fontSize: 10, color: "#64748b" }}>+{problems.length - shown.length} more</div>
      )}
    </div>
  );
};
