// The inspector's form: field rows, containers (object, list, map), expression references and
// the root component that owns the edited value. Follows schema_fields.jsx in the page.
//
// The root keeps its own copy of the value so typing never waits for the server. Typing is
// sent ~250 ms after it stops, picks and toggles at once, and a pending change is always
// flushed (on blur of the panel, on switching nodes, on unmount), so the last value arrives.
// Every change carries the id of the node it was made on.

const AF_GROUP_TITLES = { input: "Input", loop: "Loop", node: "Upstream nodes", sample: "Sample data", run: "Run" };

// The list of what an expression field can read; a click inserts ``{{ <expression> }}``.
const AfReferenceList = ({ references, path, onPick }) => {
  const groups = [];
  for (const r of references) {
    const last = groups[groups.length - 1];
    if (last && last.group === r.group) last.items.push(r);
    else groups.push({ group: r.group, items: [r] });
  }
  return (
    <div
      data-testid={`refs-${path}`}
      style={{ marginTop: 4, border: "1px solid var(--gray-a5)", borderRadius: 6, padding: 6, maxHeight: 220, overflowY: "auto", background: "var(--gray-a2)" }}
    >
      <div style={{ fontSize: 11, color: "var(--gray-11)", marginBottom: 4 }}>Click to insert at the cursor</div>
      {groups.map((g) => (
        <div key={g.group} style={{ marginBottom: 4 }}>
          <div style={{ fontSize: 10, textTransform: "uppercase", color: "var(--gray-10)", letterSpacing: 0.4 }}>
            {AF_GROUP_TITLES[g.group] ?? g.group}
          </div>
          {g.items.map((r) => (
            <button
              key={r.expression}
              type="button"
              onMouseDown={(e) => e.preventDefault()} // keep the caret in the field
              onClick={() => onPick(r.expression)}
              data-testid={`ref-${path}-${r.expression}`}
              title={r.detail}
              style={{ display: "flex", width: "100%", gap: 8, alignItems: "baseline", border: 0, background: "transparent", padding: "2px 4px", cursor: "pointer", textAlign: "left", borderRadius: 4 }}
            >
              <code style={{ fontSize: 11, color: "var(--accent-11)", whiteSpace: "nowrap" }}>{r.expression}</code>
              <span style={{ fontSize: 11, color: "var(--gray-11)", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
                {r.label}
              </span>
            </button>
          ))}
        </div>
      ))}
    </div>
  );
};

const AfErrors = ({ path, errors }) => {
  const items = errors?.[path] ?? [];
  if (items.length === 0) return null;
  return (
    <div data-testid={`error-${path}`} role="alert" style={{ marginTop: 3 }}>
      {items.map((e, i) => (
        <div key={i} style={{ fontSize: 11, color: e.severity === "warning" ? "var(--amber-11)" : "var(--red-11)" }}>
          {e.message}
        </div>
      ))}
    </div>
  );
};

const AfBadge = ({ children, tone = "gray", title }) => (
  <span title={title} style={{ fontSize: 10, padding: "0 5px", borderRadius: 4, background: `var(--${tone}-a3)`, color: `var(--${tone}-11)`, fontWeight: 500 }}>
    {children}
  </span>
);

// One value of any kind (no label): picks the widget, wraps expression fields with references.
const AfValueInput = ({ spec, value, path, onValue, ctx }) => {
  const caret = useAfCaret();
  const shown = afShown(spec, value);
  const [refsOpen, setRefsOpen] = useState(false);
  const drafted = typeof ctx.drafts?.[path] === "string"; // JSON typed that does not parse yet
  const [jsonMode, setJsonMode] = useState(drafted || (shown !== undefined && shown !== null && typeof shown !== "string"));
  const multiline = spec.kind === "textarea" || (spec.kind === "value" && ["body", "template", "prompt", "message"].includes(spec.key));
  const refs = spec.expression === "template" || (spec.expression === "value" && !jsonMode) ? ctx.references : null;
  const pick = (expression) => {
    const text = typeof shown === "string" ? shown : shown === undefined || shown === null ? "" : JSON.stringify(shown);
    onValue(caret.insert(text, `{{ ${expression} }}`), true);
  };
  let input;
  switch (spec.kind) {
    case "number":
    case "integer":
      input = <AfNumberInput spec={spec} value={value} path={path} onValue={onValue} caret={caret} />;
      break;
    case "secret":
      input = <AfSecretInput spec={spec} value={value} path={path} onValue={onValue} />;
      break;
    case "enum":
      input = <AfEnumInput spec={spec} value={value} path={path} onValue={onValue} />;
      break;
    case "boolean":
      input = <AfBooleanInput spec={spec} value={value} path={path} onValue={onValue} />;
      break;
    case "multiselect":
      input = <AfMultiInput spec={spec} value={value} path={path} onValue={onValue} />;
      break;
    case "json":
      input = <AfJsonInput spec={spec} value={value} path={path} onValue={onValue} rows={5} ctx={ctx} />;
      break;
    case "object":
      return <AfObject spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />;
    case "list":
      return <AfList spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />;
    case "map":
      return <AfMap spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />;
    case "value":
      input = (
        <div>
          <div style={{ display: "flex", justifyContent: "flex-end", marginBottom: 2 }}>
            <SegmentedControl.Root size="1" value={jsonMode ? "json" : "text"} onValueChange={(m) => {
              const toJson = m === "json";
              setJsonMode(toJson);
              if (!toJson) ctx.draft?.(path, null); // Text mode keeps the value, not the draft
              if (toJson && typeof shown === "string") {
                try { onValue(JSON.parse(shown), true); } catch {}
              } else if (!toJson && shown !== undefined && typeof shown !== "string") {
                onValue(shown === null ? "" : JSON.stringify(shown), true);
              }
            }}>
              <SegmentedControl.Item value="text">Text</SegmentedControl.Item>
              <SegmentedControl.Item value="json">JSON</SegmentedControl.Item>
            </SegmentedControl.Root>
          </div>
          {jsonMode ? (
            <AfJsonInput spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />
          ) : (
            <AfTextInput spec={spec} value={value} path={path} onValue={onValue} multiline={multiline} caret={caret} />
          )}
        </div>
      );
      break;
    default:
      input = <AfTextInput spec={spec} value={value} path={path} onValue={onValue} multiline={multiline} caret={caret} />;
  }
  if (!refs || refs.length === 0) return input;
  return (
    <div>
      <div style={{ display: "flex", gap: 4, alignItems: spec.kind === "value" && !multiline ? "flex-end" : "flex-start" }}>
        <div style={{ flex: 1, minWidth: 0 }}>{input}</div>
        <IconButton
          size="1"
          variant={refsOpen ? "solid" : "soft"}
          title="Insert a reference to upstream data"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => setRefsOpen(!refsOpen)}
          data-testid={`refs-toggle-${path}`}
        >
          {afIcon("braces", 12)}
        </IconButton>
      </div>
      {refsOpen ? <AfReferenceList references={refs} path={path} onPick={pick} /> : null}
    </div>
  );
};

// A labelled field: title, markers, reset, the input, help text and its errors.
const AfField = ({ spec, value, path, onValue, ctx }) => {
  const container = ["object", "list", "map"].includes(spec.kind);
  const unset = spec.nullable && container && (value === null || (value === undefined && afDefault(spec) === null));
  const resettable = value !== undefined && spec.hasDefault && !afSame(value, afDefault(spec)) && spec.kind !== "secret";
  const expression = spec.expression === "query" ? "JMESPath" : spec.expression ? "{{ }} expression" : null;
  const [open, setOpen] = useState(true);
  const foldable = spec.kind === "object" && !unset;
  const help = spec.description ? (
    <div style={{ fontSize: 11, color: "var(--gray-10)", marginTop: 3, marginBottom: container ? 4 : 0 }}>
      <AfProse text={spec.description} />
    </div>
  ) : null;
  return (
    <div data-testid={`field-${path}`} style={{ marginBottom: 12 }}>
      <div style={{ display: "flex", alignItems: "center", gap: 6, marginBottom: 3 }}>
        {foldable ? (
          <IconButton size="1" variant="ghost" color="gray" title={open ? "Collapse" : "Expand"} onClick={() => setOpen(!open)} data-testid={`toggle-${path}`}>
            {afIcon(open ? "chevron-down" : "chevron-right", 12)}
          </IconButton>
        ) : null}
        <label style={{ fontSize: 12, fontWeight: 600, color: "var(--gray-12)" }}>
          {spec.title || spec.key}
          {spec.required && !spec.hasDefault ? <span style={{ color: "var(--red-10)" }}> *</span> : null}
        </label>
        {expression ? (
          <AfBadge tone="blue" title={spec.expression === "query" ? "A JMESPath query over the input, without braces" : "Accepts {{ expressions }} (JMESPath over the run's data)"}>
            {expression}
          </AfBadge>
        ) : null}
        <span style={{ flex: 1 }} />
        {resettable ? (
          <IconButton size="1" variant="ghost" color="gray" title="Reset to default" onClick={() => onValue(undefined, true)} data-testid={`reset-${path}`}>
            {afIcon("rotate-ccw", 12)}
          </IconButton>
        ) : null}
        {spec.nullable && container && !unset ? (
          <IconButton size="1" variant="ghost" color="gray" title="Unset" onClick={() => onValue(null, true)} data-testid={`unset-${path}`}>
            {afIcon("x", 12)}
          </IconButton>
        ) : null}
      </div>
      {unset ? (
        <div style={{ display: "flex", alignItems: "center", gap: 8 }} data-testid={`unset-state-${path}`}>
          <span style={{ fontSize: 12, color: "var(--gray-10)", fontStyle: "italic" }}>Not set</span>
          <Button size="1" variant="soft" onClick={() => onValue(afClone(spec.blank ?? {}), true)} data-testid={`set-${path}`}>
            Set
          </Button>
        </div>
      ) : null}
      {container ? help : null}
      {unset ? null : foldable && !open ? (
        <div style={{ fontSize: 11, color: "var(--gray-10)" }}>{(spec.fields ?? []).length} fields hidden</div>
      ) : (
        <AfValueInput spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />
      )}
      <AfErrors path={path} errors={ctx.errors} />
      {container ? null : help}
    </div>
  );
};

const afWithKey = (obj, key, v) => {
  const next = { ...(obj ?? {}) };
  if (v === undefined) delete next[key];
  else next[key] = v;
  return next;
};

const AfFields = ({ spec, value, path, onValue, ctx }) => {
  const obj = value && typeof value === "object" && !Array.isArray(value) ? value : {};
  return (spec.fields ?? []).map((f) => (
    <AfField key={f.key} spec={f} value={obj[f.key]} path={afPath(path, f.key)} onValue={(v, now) => onValue(afWithKey(obj, f.key, v), now)} ctx={ctx} />
  ));
};

// A nested group; its label row (in AfField) folds it.
const AfObject = ({ spec, value, path, onValue, ctx }) => (
  <div style={{ borderLeft: "2px solid var(--gray-a5)", paddingLeft: 10, paddingTop: 2 }}>
    <AfFields spec={spec} value={value} path={path} onValue={onValue} ctx={ctx} />
  </div>
);

const AfList = ({ spec, value, path, onValue, ctx }) => {
  const shown = afShown(spec, value);
  const items = Array.isArray(shown) ? shown : [];
  const item = spec.item ?? { kind: "json", title: "Item" };
  const set = (i, v, now) => onValue(items.map((x, j) => (j === i ? v : x)), now);
  const move = (i, d) => {
    const next = [...items];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    onValue(next, true);
  };
  const full = spec.maxItems !== undefined && items.length >= spec.maxItems;
  return (
    <div>
      {items.map((x, i) => (
        <div key={i} data-testid={`item-${afPath(path, i)}`} style={{ border: "1px solid var(--gray-a5)", borderRadius: 6, padding: "4px 8px 0", marginBottom: 6 }}>
          <div style={{ display: "flex", alignItems: "center", gap: 4, marginBottom: 4 }}>
            <span style={{ fontSize: 11, fontWeight: 600, color: "var(--gray-11)", flex: 1 }}>
              {item.title || "Item"} {i + 1}
            </span>
            <IconButton size="1" variant="ghost" color="gray" disabled={i === 0} onClick={() => move(i, -1)} title="Move up" data-testid={`up-${afPath(path, i)}`}>
              {afIcon("chevron-up", 12)}
            </IconButton>
            <IconButton size="1" variant="ghost" color="gray" disabled={i === items.length - 1} onClick={() => move(i, 1)} title="Move down" data-testid={`down-${afPath(path, i)}`}>
              {afIcon("chevron-down", 12)}
            </IconButton>
            <IconButton size="1" variant="ghost" color="red" onClick={() => onValue(items.filter((_, j) => j !== i), true)} title="Remove" data-testid={`remove-${afPath(path, i)}`}>
              {afIcon("trash-2", 12)}
            </IconButton>
          </div>
          {item.kind === "object" ? (
            <AfFields spec={item} value={x} path={afPath(path, i)} onValue={(v, now) => set(i, v, now)} ctx={ctx} />
          ) : (
            <div style={{ paddingBottom: 6 }}>
              <AfValueInput spec={item} value={x} path={afPath(path, i)} onValue={(v, now) => set(i, v, now)} ctx={ctx} />
              <AfErrors path={afPath(path, i)} errors={ctx.errors} />
            </div>
          )}
        </div>
      ))}
      <Button size="1" variant="soft" disabled={full} onClick={() => onValue([...items, afClone(item.blank ?? null)], true)} data-testid={`add-${path}`}>
        {afIcon("plus", 12)} Add {(item.title || "item").toLowerCase()}
      </Button>
    </div>
  );
};

// Key-value rows. Rows live locally so a key can be empty or clash while being typed; the
// object is sent only when its keys are distinct (a clash would silently drop a row).
const AfMap = ({ spec, value, path, onValue, ctx }) => {
  const obj = value && typeof value === "object" && !Array.isArray(value) ? value : {};
  const [rows, setRows] = useState(Object.entries(obj));
  const toObject = (rs) => Object.fromEntries(rs);
  const distinct = (rs) => new Set(rs.map(([k]) => k)).size === rs.length;
  useEffect(() => {
    if (distinct(rows) && !afSame(toObject(rows), obj)) setRows(Object.entries(obj));
  }, [value]);
  const emit = (rs, now) => {
    setRows(rs);
    if (distinct(rs)) onValue(toObject(rs), now);
  };
  const item = spec.item ?? { kind: "text", title: "Value" };
  const clash = (k) => rows.filter(([other]) => other === k).length > 1;
  return (
    <div>
      {rows.map(([k, v], i) => (
        <div key={i} data-testid={`row-${afPath(path, i)}`} style={{ display: "flex", gap: 6, alignItems: "flex-start", marginBottom: 6 }}>
          <div style={{ width: "38%" }}>
            <TextField.Root size="1" value={k} placeholder="Name" onChange={(e) => emit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)), false)} data-testid={`key-${afPath(path, i)}`} aria-label="Name" />
            {clash(k) ? <div style={{ fontSize: 11, color: "var(--red-11)" }}>Used twice</div> : null}
          </div>
          <div style={{ flex: 1, minWidth: 0 }}>
            <AfValueInput spec={item} value={v} path={afPath(path, k)} onValue={(nv, now) => emit(rows.map((r, j) => (j === i ? [r[0], nv] : r)), now)} ctx={ctx} />
            <AfErrors path={afPath(path, k)} errors={ctx.errors} />
          </div>
          <IconButton size="1" variant="ghost" color="red" title="Remove" onClick={() => emit(rows.filter((_, j) => j !== i), true)} data-testid={`remove-${afPath(path, i)}`}>
            {afIcon("trash-2", 12)}
          </IconButton>
        </div>
      ))}
      <Button size="1" variant="soft" onClick={() => emit([...rows, ["", afClone(item.blank ?? "")]], true)} data-testid={`add-${path}`}>
        {afIcon("plus", 12)} Add entry
      </Button>
    </div>
  );
};

const AuteritySchemaForm = ({ spec, value, errors, references, drafts, formKey, onFormChange, emptyText, ...rest }) => {
  const [local, setLocal] = useState(value ?? {});
  const localRef = useRef(value ?? {});
  // JSON fields whose text does not parse yet, by path: sent with every change of this node.
  const draftsRef = useRef(drafts ?? {});
  const keyRef = useRef(formKey);
  const pending = useRef(null);
  const timer = useRef(null);
  const sent = useRef([]);
  const handler = useRef(onFormChange);
  handler.current = onFormChange;

  const flush = useCallback(() => {
    if (timer.current) window.clearTimeout(timer.current);
    timer.current = null;
    const change = pending.current;
    if (!change) return;
    pending.current = null;
    sent.current = [...sent.current.slice(-7), JSON.stringify(change.value)];
    if (handler.current) handler.current(change);
  }, []);

  // Another node: what was typed for the previous one goes out first, under its own id.
  useEffect(() => {
    if (keyRef.current === formKey) return;
    flush();
    keyRef.current = formKey;
    sent.current = [];
    draftsRef.current = drafts ?? {};
    localRef.current = value ?? {};
    setLocal(value ?? {});
  }, [formKey]);

  // A new value from the server is taken unless it is the echo of what was sent, or the
  // user has typed since (their text wins, and goes out next).
  useEffect(() => {
    if (pending.current || keyRef.current !== formKey) return;
    if (sent.current.includes(JSON.stringify(value ?? {}))) return;
    localRef.current = value ?? {};
    setLocal(value ?? {});
  }, [value]);

  useEffect(() => flush, [flush]);

  const schedule = useCallback(
    (now) => {
      pending.current = { nodeId: keyRef.current, value: localRef.current, drafts: { ...draftsRef.current } };
      if (timer.current) window.clearTimeout(timer.current);
      if (now) flush();
      else timer.current = window.setTimeout(flush, AF_DEBOUNCE_MS);
    },
    [flush],
  );

  const update = useCallback(
    (next, now) => {
      setLocal(next);
      localRef.current = next;
      schedule(now);
    },
    [schedule],
  );

  const draft = useCallback(
    (path, text) => {
      const had = draftsRef.current[path];
      if ((text ?? undefined) === had) return;
      const next = { ...draftsRef.current };
      if (text === null || text === undefined) delete next[path];
      else next[path] = text;
      draftsRef.current = next;
      schedule(false);
    },
    [schedule],
  );

  // Switching nodes: the new node's fields mount before the effect above runs, so read its
  // drafts from the props until then.
  const shownDrafts = keyRef.current === formKey ? draftsRef.current : (drafts ?? {});
  const ctx = { errors: errors ?? {}, references: references ?? [], drafts: shownDrafts, draft };
  const fields = spec?.fields ?? [];
  return (
    <div {...rest} onBlur={flush}>
      {fields.length === 0 ? (
        <div style={{ fontSize: 12, color: "var(--gray-10)" }}>{emptyText || "Nothing to set."}</div>
      ) : (
        <div key={formKey}>
          <AfFields spec={spec} value={local} path="" onValue={update} ctx={ctx} />
        </div>
      )}
    </div>
  );
};
