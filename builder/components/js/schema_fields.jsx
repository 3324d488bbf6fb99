// The inspector's leaf widgets, added to the page as custom code with schema_form.jsx (see
// builder/components/schema_form.py). Field specs come from builder/inspector/field_specs.py: the
// browser never reads JSON Schema itself. Everything user-written is rendered as React text
// (never as HTML) and no user string is ever evaluated.
// Imports: React's hooks, Radix Themes' TextField, TextArea, Select, Switch, Checkbox,
// SegmentedControl, IconButton and Button; AUTERITY_FORM_ICONS (Lucide) is defined just before.

const AF_DEBOUNCE_MS = 250;
const AF_MASK = "\u2022".repeat(8); // builder/inspector/secret_fields.py MASK: a secret saved on the server
const AF_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const afPath = (parent, key) =>
  typeof key === "number" ? `${parent}[${key}]` : parent ? `${parent}.${key}` : String(key);
const afSame = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const afClone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const afDefault = (spec) => (spec.hasDefault ? (spec.default ?? null) : undefined);
const afShown = (spec, value) => (value === undefined ? afDefault(spec) : value);
const afIcon = (name, size = 14) => {
  const Icon = AUTERITY_FORM_ICONS[name];
  return Icon ? <Icon size={size} /> : null;
};

// Backticks in descriptions become code spans; everything stays text.
const AfProse = ({ text }) =>
  String(text ?? "")
    .split("`")
    .map((part, i) =>
      i % 2 ? (
        <code key={i} style={{ fontSize: "0.95em", background: "var(--gray-a3)", padding: "0 3px", borderRadius: 3 }}>
          {part}
        </code>
      ) : (
        <span key={i}>{part}</span>
      ),
    );

// The text a number field shows, and the value typed text stands for. Text that is not a
// number is sent as typed: the server's validation says what is wrong (or, for a field that
// also takes expressions, accepts it), and nothing the user typed is lost.
const afNumberText = (v) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));
const afNumberValue = (spec, text) => {
  const t = text.trim();
  if (t === "") return spec.nullable ? null : undefined;
  return AF_NUMBER.test(t) ? Number(t) : text;
};

const afRange = (spec) => {
  const low = spec.minimum ?? spec.exclusiveMinimum;
  const high = spec.maximum ?? spec.exclusiveMaximum;
  if (low === undefined && high === undefined) return "";
  const lo = low === undefined ? "" : `${spec.exclusiveMinimum !== undefined ? ">" : "≥"} ${low}`;
  const hi = high === undefined ? "" : `${spec.exclusiveMaximum !== undefined ? "<" : "≤"} ${high}`;
  return [lo, hi].filter(Boolean).join(", ");
};

// Where the caret was in a text input, so a picked reference lands there.
const useAfCaret = () => {
  const ref = useRef(null);
  const caret = useRef(null);
  const track = useCallback((e) => {
    caret.current = { start: e.target.selectionStart, end: e.target.selectionEnd };
  }, []);
  const insert = useCallback((text, snippet) => {
    const at = caret.current ?? { start: text.length, end: text.length };
    const next = text.slice(0, at.start) + snippet + text.slice(at.end);
    const pos = at.start + snippet.length;
    caret.current = { start: pos, end: pos };
    window.requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      try {
        el.setSelectionRange(pos, pos);
      } catch {}
    });
    return next;
  }, []);
  return { ref, track, insert };
};

const AfTextInput = ({ spec, value, path, onValue, multiline, caret }) => {
  const shown = afShown(spec, value);
  const text = shown === undefined || shown === null ? "" : typeof shown === "string" ? shown : JSON.stringify(shown);
  const change = (e) => {
    const t = e.target.value;
    onValue(t === "" && spec.nullable ? null : t, false);
  };
  const common = {
    ref: caret?.ref,
    value: text,
    onChange: change,
    onSelect: caret?.track,
    onBlur: caret?.track,
    placeholder: spec.nullable ? "Not set" : spec.expression === "query" ? "JMESPath query" : "",
    maxLength: spec.maxLength,
    "data-testid": `input-${path}`,
    "aria-label": spec.title || path,
    style: spec.expression ? { fontFamily: "ui-monospace, monospace", fontSize: 12 } : undefined,
  };
  return multiline ? <TextArea {...common} rows={4} resize="vertical" size="1" /> : <TextField.Root {...common} size="1" />;
};

const AfNumberInput = ({ spec, value, path, onValue, caret }) => {
  const shown = afShown(spec, value);
  const [text, setText] = useState(afNumberText(shown));
  useEffect(() => {
    if (!afSame(afNumberValue(spec, text) ?? null, shown ?? null)) setText(afNumberText(shown));
  }, [shown]);
  const range = afRange(spec);
  return (
    <TextField.Root
      ref={caret?.ref}
      size="1"
      value={text}
      inputMode={spec.kind === "integer" ? "numeric" : "decimal"}
      placeholder={spec.nullable ? "Not set" : spec.allowText ? "number or {{ expression }}" : ""}
      onChange={(e) => {
        setText(e.target.value);
        onValue(afNumberValue(spec, e.target.value), false);
      }}
      onSelect={caret?.track}
      onBlur={caret?.track}
      data-testid={`input-${path}`}
      aria-label={spec.title || path}
    >
      {range ? (
        <TextField.Slot side="right" style={{ color: "var(--gray-10)", fontSize: 11 }}>
          {range}
        </TextField.Slot>
      ) : null}
    </TextField.Root>
  );
};

const AfSecretInput = ({ spec, value, path, onValue }) => {
  const [text, setText] = useState("");
  const saved = typeof value === "string" && value !== "";
  const commit = () => {
    if (text === "") return;
    onValue(text, true);
    setText(""); // the typed secret never stays in the input after it is sent
  };
  return (
    <div style={{ display: "flex", gap: 6, alignItems: "center" }}>
      <TextField.Root
        size="1"
        type="password"
        autoComplete="new-password"
        value={text}
        placeholder={saved ? "Saved · type to replace" : "Not set"}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
        data-testid={`input-${path}`}
        data-saved={saved ? "true" : "false"}
        aria-label={spec.title || path}
        style={{ flex: 1 }}
      >
        <TextField.Slot>{afIcon("key-round", 12)}</TextField.Slot>
      </TextField.Root>
      {saved ? (
        <Button size="1" variant="ghost" color="gray" onClick={() => onValue(undefined, true)} data-testid={`clear-${path}`}>
          Clear
        </Button>
      ) : null}
    </div>
  );
};

const AfEnumInput = ({ spec, value, path, onValue }) => {
  const shown = afShown(spec, value);
  const index = (spec.options ?? []).findIndex((o) => afSame(o.value, shown));
  const current = shown === null || shown === undefined ? (spec.nullable ? "null" : "") : index >= 0 ? String(index) : "";
  return (
    <Select.Root
      size="1"
      value={current}
      onValueChange={(v) => onValue(v === "null" ? null : afClone(spec.options[Number(v)].value), true)}
    >
      <Select.Trigger placeholder="Choose…" data-testid={`input-${path}`} aria-label={spec.title || path} style={{ width: "100%" }} />
      <Select.Content position="popper">
        {spec.nullable ? <Select.Item value="null">Not set</Select.Item> : null}
        {(spec.options ?? []).map((o, i) => (
          <Select.Item key={i} value={String(i)}>
            {o.label}
          </Select.Item>
        ))}
      </Select.Content>
    </Select.Root>
  );
};

const AfBooleanInput = ({ spec, value, path, onValue }) => (
  <Switch
    size="1"
    checked={Boolean(afShown(spec, value))}
    onCheckedChange={(on) => onValue(on, true)}
    data-testid={`input-${path}`}
    aria-label={spec.title || path}
  />
);

const AfMultiInput = ({ spec, value, path, onValue }) => {
  const chosen = Array.isArray(value) ? value : [];
  const toggle = (option, on) => {
    const next = (spec.options ?? [])
      .filter((o) => (afSame(o.value, option.value) ? on : chosen.some((c) => afSame(c, o.value))))
      .map((o) => afClone(o.value));
    onValue(next, true);
  };
  return (
    <div style={{ display: "flex", flexWrap: "wrap", gap: "4px 12px" }} data-testid={`input-${path}`}>
      {(spec.options ?? []).map((o, i) => (
        <label key={i} style={{ display: "flex", alignItems: "center", gap: 4, fontSize: 12 }}>
          <Checkbox size="1" checked={chosen.some((c) => afSame(c, o.value))} onCheckedChange={(on) => toggle(o, on === true)} />
          {o.label}
        </label>
      ))}
    </div>
  );
};

// Free JSON (a sample payload, or a value in JSON mode): sent only while it parses; until
// then the text stays as typed, with the parser's complaint under it, and goes to the server
// as a draft (``ctx.draft``) so closing the panel loses nothing: the node is badged until the
// text parses, and the field shows the draft again when the panel reopens.
const afJsonProblem = (t) => {
  if (t.trim() === "") return "";
  try {
    JSON.parse(t);
    return "";
  } catch (err) {
    return `Not valid JSON yet: ${String(err.message ?? err).slice(0, 120)}`;
  }
};

const AfJsonInput = ({ spec, value, path, onValue, rows, ctx }) => {
  const shown = afShown(spec, value);
  const format = (v) => (v === undefined ? "" : JSON.stringify(v, null, 2));
  const drafted = ctx?.drafts?.[path];
  const [text, setText] = useState(typeof drafted === "string" ? drafted : format(shown));
  const [problem, setProblem] = useState(typeof drafted === "string" ? afJsonProblem(drafted) : "");
  const before = useRef(shown);
  useEffect(() => {
    // Only a value that changed elsewhere (undo, a reset) replaces the text and its draft.
    if (afSame(before.current, shown)) return;
    before.current = shown;
    let same = false;
    try {
      same = afSame(JSON.parse(text), shown);
    } catch {}
    if (!same) {
      setText(format(shown));
      setProblem("");
      ctx?.draft?.(path, null);
    }
  }, [shown]);
  const change = (e) => {
    const t = e.target.value;
    setText(t);
    if (t.trim() === "") {
      setProblem("");
      ctx?.draft?.(path, null);
      onValue(spec.nullable ? null : undefined, false);
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(t);
    } catch (err) {
      setProblem(afJsonProblem(t));
      ctx?.draft?.(path, t);
      return;
    }
    setProblem("");
    before.current = parsed;
    ctx?.draft?.(path, null);
    onValue(parsed, false);
  };
  return (
    <div>
      <TextArea
        size="1"
        rows={rows ?? Math.min(8, Math.max(1, text.split("\n").length))}
        resize="vertical"
        value={text}
        onChange={change}
        data-testid={`input-${path}`}
        aria-label={spec.title || path}
        style={{ fontFamily: "ui-monospace, monospace", fontSize: 12 }}
      />
      {problem ? <div style={{ color: "var(--amber-11)", fontSize: 11 }}>{problem}</div> : null}
    </div>
  );
};
