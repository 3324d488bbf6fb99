// The builder's canvas, added to the page as custom code (see builder/components/react_flow.py).
// Imports come from the component's add_imports: React's hooks, @xyflow/react's ReactFlow,
// Handle, Position, applyNodeChanges and applyEdgeChanges, and one Lucide icon per node icon
// (AUTERITY_ICONS is defined just before this file by the same component).

const AUTERITY_STATUS = {
  valid: { text: "valid", fg: "#166534", bg: "#dcfce7" },
  error: { text: "error", fg: "#991b1b", bg: "#fee2e2" },
  ok: { text: "ran ok", fg: "#1e40af", bg: "#dbeafe" },
  failed: { text: "failed", fg: "#9a3412", bg: "#ffedd5" },
  pinned: { text: "pinned", fg: "#6b21a8", bg: "#f3e8ff" },
  skipped: { text: "skipped", fg: "#475569", bg: "#f1f5f9" },
  warning: { text: "warning", fg: "#92400e", bg: "#fef3c7" },
};

// An assistant proposal previewed on the canvas (builder/canvas/proposal.py sets data.diff).
const AUTERITY_DIFF = {
  added: { text: "added", color: "#16a34a", glow: "rgba(22,163,74,0.35)" },
  changed: { text: "changed", color: "#d97706", glow: "rgba(217,119,6,0.35)" },
  removed: { text: "removed", color: "#dc2626", glow: "rgba(220,38,38,0.25)" },
};

const auterityPortRow = (port, side) => (
  <div
    key={`${side}-${port.name}`}
    className={`auterity-port auterity-port-${side}`}
    style={{
      position: "relative",
      display: "flex",
      justifyContent: side === "in" ? "flex-start" : "flex-end",
      gap: 6,
      padding: "2px 12px",
      fontSize: 11,
      lineHeight: "16px",
    }}
  >
    <Handle
      type={side === "in" ? "target" : "source"}
      position={side === "in" ? Position.Left : Position.Right}
      id={port.name}
      title={`${port.name}: ${port.type}`}
      style={{ width: 10, height: 10, background: port.name === "error" ? "#dc2626" : "#475569" }}
    />
    <span style={{ fontWeight: 500 }}>
      {port.body ? `${port.name} (body)` : port.name}
    </span>
    <span style={{ color: "#64748b", fontFamily: "ui-monospace, monospace" }}>{port.type}</span>
  </div>
);

// One graph node: coloured header with icon and title, its id, a status badge, then one
// labelled handle per input (left) and per output (right).
const AuterityNode = memo(({ id, data, selected }) => {
  const Icon = AUTERITY_ICONS[data.icon] ?? AUTERITY_ICONS.box;
  const status = AUTERITY_STATUS[data.status] ?? AUTERITY_STATUS.valid;
  const diff = AUTERITY_DIFF[data.diff];
  const shadow = selected ? "0 0 0 3px rgba(15,23,42,0.15)" : "0 1px 3px rgba(0,0,0,0.12)";
  return (
    <div
      className="auterity-node"
      data-testid={`canvas-node-${id}`}
      data-status={data.status}
      data-diff={data.diff || undefined}
      style={{
        minWidth: 180,
        background: "#ffffff",
        border: diff
          ? `2px ${data.diff === "removed" ? "dashed" : "solid"} ${diff.color}`
          : `2px solid ${selected ? "#0f172a" : data.color}`,
        borderRadius: 8,
        opacity: data.diff === "removed" ? 0.45 : 1,
        boxShadow: diff ? `0 0 0 4px ${diff.glow}` : shadow,
        fontFamily: "system-ui, sans-serif",
        color: "#0f172a",
      }}
    >
      <div
        style={{
          display: "flex",
          alignItems: "center",
          gap: 6,
          padding: "4px 8px",
          background: data.color,
          color: "#ffffff",
          borderRadius: "5px 5px 0 0",
          fontSize: 12,
          fontWeight: 600,
        }}
      >
        <Icon size={14} />
        <span style={{ flex: 1 }}>{data.label || data.title}</span>
        {diff ? (
          <span
            className="auterity-diff"
            data-testid={`diff-${id}`}
            style={{
              padding: "0 6px",
              borderRadius: 999,
              background: diff.color,
              color: "#ffffff",
              fontSize: 10,
            }}
          >
            {diff.text}
          </span>
        ) : null}
      </div>
      <div
        style={{
          display: "flex",
          alignItems: "center",
          justifyContent: "space-between",
          gap: 8,
          padding: "3px 8px",
          fontSize: 10,
          color: "#475569",
        }}
      >
        <span style={{ fontFamily: "ui-monospace, monospace", flex: 1 }}>{id}</span>
        {data.runMs != null && (data.runStatus === "ok" || data.runStatus === "failed") ? (
          <span className="auterity-run-ms" data-testid={`run-ms-${id}`}>
            {data.runMs} ms
          </span>
        ) : null}
        <span
          className="auterity-status"
          data-testid={`status-${id}`}
          title={data.statusText || status.text}
          style={{
            padding: "0 6px",
            borderRadius: 999,
            color: status.fg,
            background: status.bg,
            fontWeight: 600,
          }}
        >
          {status.text}
        </span>
      </div>
      <div style={{ paddingBottom: 4 }}>
        {(data.inputs ?? []).map((port) => auterityPortRow(port, "in"))}
        {(data.outputs ?? []).map((port) => auterityPortRow(port, "out"))}
      </div>
      {auterityNodeProblems(id, data.diagnostics)}
    </div>
  );
});

// Module level, so React Flow sees the same object on every render (it warns otherwise).
const auterityNodeTypes = { auterity: AuterityNode };

const AUTERITY_DRAG_TYPE = "application/x-auterity-node";

// Server nodes replace the local copy, except what only the browser knows: the position of
// a node being dragged right now, measured sizes the server has not heard of yet, and, while
// the server has not yet applied every selection the browser sent, the browser's selection
// (its answer to an earlier click would otherwise undo a later Shift-click).
const auterityMergeNodes = (serverNodes, localNodes, keepSelection) => {
  const local = new Map(localNodes.map((n) => [n.id, n]));
  return serverNodes.map((n) => {
    const mine = local.get(n.id);
    if (!mine) return n;
    const merged = { ...n };
    if (mine.dragging) {
      merged.position = mine.position;
      merged.dragging = true;
    }
    if (!merged.measured && mine.measured) merged.measured = mine.measured;
    if (keepSelection) merged.selected = Boolean(mine.selected);
    return merged;
  });
};

// Server edges replace the local copy; the browser's selection is kept as for nodes.
const auterityMergeEdges = (serverEdges, localEdges, keepSelection) => {
  if (!keepSelection) return serverEdges;
  const selected = new Map(localEdges.map((e) => [e.id, Boolean(e.selected)]));
  return serverEdges.map((e) => (selected.has(e.id) ? { ...e, selected: selected.get(e.id) } : e));
};

// Select changes go to the server numbered (one number per batch); the server answers with
// the number of the last batch it applied (selectionAck). Until that is the last one sent,
// the browser's selection is the newer one. The count restarts with the page.
const auterityNumberSelections = (changes, counter) => {
  if (!changes.some((c) => c.type === "select")) return changes;
  counter.current += 1;
  return changes.map((c) => (c.type === "select" ? { ...c, seq: counter.current } : c));
};

// The centre of the visible canvas in flow coordinates ("click a palette item to add it").
const auterityViewportCenter = () => {
  const flow = typeof window !== "undefined" ? window.__auterityFlow : null;
  const pane = typeof document !== "undefined" ? document.querySelector(".react-flow") : null;
  if (!flow || !pane) return { x: 0, y: 0 };
  const r = pane.getBoundingClientRect();
  return flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
};
if (typeof window !== "undefined") window.auterityViewportCenter = auterityViewportCenter;

// React Flow with its nodes and edges mirrored in the browser. Every change is applied
// locally at once; only changes the server needs go over the websocket: a position when a
// drag ends (never the positions in between), selection, removal and measured sizes. With
// onDeleteElements, removals go as one event per deletion (onDelete) instead.
// Nothing is throttled or debounced: dropping the drag-stop change would lose positions.
const AuterityFlow = ({
  nodes,
  edges,
  onNodesChange,
  onEdgesChange,
  onConnect,
  onNodeDrop,
  fitViewRequest,
  onDeleteElements,
  onUndo,
  onRedo,
  onPaste,
  focusRequest,
  selectionAck,
  children,
  ...rest
}) => {
  const [localNodes, setLocalNodes] = useState(nodes ?? []);
  const [localEdges, setLocalEdges] = useState(edges ?? []);
  const nodesRef = useRef(localNodes);
  const edgesRef = useRef(localEdges);
  edgesRef.current = localEdges;
  const flowRef = useRef(null);
  const fitRequestRef = useRef(fitViewRequest);
  fitRequestRef.current = fitViewRequest;

  const selectionsSent = useRef(0);
  // Nothing sent since the page loaded: the server's selection stands (a paste selects).
  const selectionPending = () =>
    selectionsSent.current > 0 && (selectionAck ?? 0) !== selectionsSent.current;
  useEffect(() => {
    const keep = selectionPending();
    setLocalNodes((current) => auterityMergeNodes(nodes ?? [], current, keep));
  }, [nodes]);
  useEffect(() => {
    const keep = selectionPending();
    setLocalEdges((current) => auterityMergeEdges(edges ?? [], current, keep));
  }, [edges]);
  useEffect(() => {
    nodesRef.current = localNodes;
  }, [localNodes]);
  useAuterityEditing({ nodesRef, edgesRef, onUndo, onRedo, onPaste });
  useAuterityFocus(flowRef, focusRequest);

  const handleNodesChange = useCallback(
    (changes) => {
      setLocalNodes((current) => applyNodeChanges(changes, current));
      const forward = [];
      for (const change of changes) {
        if (change.type === "position") {
          if (change.dragging) continue;
          // The drag-stop change may come without a position: use the browser's own.
          const position =
            change.position ?? nodesRef.current.find((n) => n.id === change.id)?.position;
          if (position) forward.push({ id: change.id, type: "position", position, dragging: false });
        } else if (change.type === "dimensions") {
          forward.push({ id: change.id, type: "dimensions", dimensions: change.dimensions });
        } else if (change.type === "remove" && onDeleteElements) {
          continue;
        } else {
          forward.push(change);
        }
      }
      if (forward.length > 0 && onNodesChange)
        onNodesChange(auterityNumberSelections(forward, selectionsSent));
    },
    [onNodesChange, onDeleteElements],
  );

  const handleEdgesChange = useCallback(
    (changes) => {
      setLocalEdges((current) => applyEdgeChanges(changes, current));
      const forward = onDeleteElements ? changes.filter((c) => c.type !== "remove") : changes;
      if (forward.length > 0 && onEdgesChange)
        onEdgesChange(auterityNumberSelections(forward, selectionsSent));
    },
    [onEdgesChange, onDeleteElements],
  );

  // One event for everything a Delete key press removes (nodes and their edges together),
  // so the server records it as one undoable edit.
  const handleDelete = useCallback(
    ({ nodes: gone, edges: cut }) => {
      if (!onDeleteElements) return;
      onDeleteElements({ nodes: gone.map((n) => n.id), edges: cut.map((e) => e.id) });
    },
    [onDeleteElements],
  );

  const handleConnect = useCallback(
    (connection) => {
      if (onConnect) onConnect(connection);
    },
    [onConnect],
  );

  const handleInit = useCallback((instance) => {
    flowRef.current = instance;
    window.__auterityFlow = instance;
    if (fitRequestRef.current) instance.fitView({ padding: 0.2, maxZoom: 1 });
  }, []);

  // Fit the view when the server asks (a graph was loaded), not whenever nodes appear:
  // React Flow's own fitView prop would jump to the first node dropped on an empty canvas.
  useEffect(() => {
    if (!fitViewRequest) return;
    const id = window.requestAnimationFrame(() =>
      flowRef.current?.fitView({ padding: 0.2, maxZoom: 1 }),
    );
    return () => window.cancelAnimationFrame(id);
  }, [fitViewRequest]);

  const handleDragOver = useCallback((event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const handleDrop = useCallback(
    (event) => {
      event.preventDefault();
      const nodeType = event.dataTransfer.getData(AUTERITY_DRAG_TYPE);
      if (!nodeType || !flowRef.current || !onNodeDrop) return;
      const p = flowRef.current.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      onNodeDrop({ type: nodeType, x: p.x, y: p.y });
    },
    [onNodeDrop],
  );

  return (
    <ReactFlow
      nodes={localNodes}
      edges={localEdges}
      nodeTypes={auterityNodeTypes}
      edgeTypes={auterityEdgeTypes}
      onDelete={handleDelete}
      onNodesChange={handleNodesChange}
      onEdgesChange={handleEdgesChange}
      onConnect={handleConnect}
      onInit={handleInit}
      onDragOver={handleDragOver}
      onDrop={handleDrop}
      {...rest}
    >
      {children}
    </ReactFlow>
  );
};
