// ../../../tmp/perf/sig.ts
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

// src/server/engines/sigma/types.ts
var SigmaFeatureError = class extends Error {
  constructor(feature, message) {
    super(message);
    this.feature = feature;
    this.name = "SigmaFeatureError";
  }
  feature;
};

// src/server/engines/sigma/parse.ts
import { parseAllDocuments } from "yaml";
var CORRELATION_TYPES = [
  "event_count",
  "value_count",
  "temporal",
  "temporal_ordered",
  "value_sum",
  "value_avg",
  "value_percentile"
];
var MAX_RULE_TEXT = 1e6;
function str(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return void 0;
}
function strList(v) {
  if (Array.isArray(v)) return v.map((x) => str(x)).filter((x) => x !== void 0);
  const s = str(v);
  return s === void 0 ? [] : [s];
}
function isMap(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function parseTimespan(v) {
  const s = str(v);
  if (!s) return void 0;
  const m = /^\s*(\d+)\s*([smhdwMy])\s*$/.exec(s);
  if (!m) return void 0;
  const n = Number(m[1]);
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 7 * 864e5, M: 30 * 864e5, y: 365 * 864e5 }[m[2]];
  return n * unit;
}
function logsourceOf(v) {
  const ls = {};
  if (!isMap(v)) return ls;
  const p = str(v.product);
  const c = str(v.category);
  const s = str(v.service);
  if (p) ls.product = p.toLowerCase();
  if (c) ls.category = c.toLowerCase();
  if (s) ls.service = s.toLowerCase();
  return ls;
}
function infoOf(doc, path, index, kind) {
  const id = str(doc.id) ?? `${path}#${index}`;
  const info = {
    id,
    title: str(doc.title) ?? id,
    level: (str(doc.level) ?? "medium").toLowerCase(),
    status: (str(doc.status) ?? "experimental").toLowerCase(),
    author: str(doc.author) ?? "",
    tags: strList(doc.tags),
    logsource: logsourceOf(doc.logsource),
    kind,
    path
  };
  const description = str(doc.description);
  if (description !== void 0) info.description = description;
  const fp = strList(doc.falsepositives);
  if (fp.length) info.falsepositives = fp;
  const name = str(doc.name);
  if (name !== void 0) info.name = name;
  return info;
}
function parseCorrelation(block) {
  const type = str(block.type);
  if (!type || !CORRELATION_TYPES.includes(type)) return `correlation type ${String(block.type)}`;
  const rules = strList(block.rules);
  if (rules.length === 0) return "correlation without rules";
  const groupBy = strList(block["group-by"]);
  const timespanMs = parseTimespan(block.timespan ?? block.timeframe);
  if (timespanMs === void 0) return `correlation timespan ${String(block.timespan)}`;
  const condition = {};
  const cond = block.condition;
  if (isMap(cond)) {
    for (const [k, v] of Object.entries(cond)) {
      if (k === "field") condition.field = str(v);
      else if (["gt", "gte", "lt", "lte", "eq", "neq", "percentile"].includes(k)) {
        const n = Number(v);
        if (!Number.isFinite(n)) return `correlation condition ${k}: ${String(v)}`;
        condition[k] = n;
      } else return `correlation condition operator ${k}`;
    }
  } else if (cond !== void 0) return "correlation condition must be a map";
  if (type !== "temporal" && type !== "temporal_ordered") {
    if (!["gt", "gte", "lt", "lte", "eq", "neq"].some((k) => k in condition)) return `${type} needs a condition`;
  }
  if (type.startsWith("value_") && !condition.field) return `${type} needs condition.field`;
  const aliases = {};
  if (isMap(block.aliases)) {
    for (const [alias, m] of Object.entries(block.aliases)) {
      if (!isMap(m)) return `alias ${alias} must map rules to fields`;
      aliases[alias] = Object.fromEntries(Object.entries(m).map(([r, f]) => [r, str(f) ?? ""]));
    }
  }
  return { type, rules, groupBy, timespanMs, condition, aliases, generate: block.generate === true };
}
function parseRules(files) {
  const detections = [];
  const correlations = [];
  const issues = [];
  for (const file of files) {
    if (file.text.length > MAX_RULE_TEXT) {
      issues.push({ path: file.path, feature: "size", message: `rule file larger than ${MAX_RULE_TEXT} bytes` });
      continue;
    }
    let docs;
    try {
      docs = parseAllDocuments(file.text, { uniqueKeys: false });
    } catch (e) {
      issues.push({ path: file.path, feature: "yaml", message: e.message });
      continue;
    }
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d, index) => {
      if (d.errors.length > 0) {
        issues.push({ path: file.path, feature: "yaml", message: d.errors[0].message.split("\n")[0] });
        return;
      }
      let raw;
      try {
        raw = d.toJS({ maxAliasCount: 100 });
      } catch (e) {
        issues.push({ path: file.path, feature: "yaml", message: e.message });
        return;
      }
      if (raw === null || raw === void 0) return;
      if (!isMap(raw)) {
        issues.push({ path: file.path, feature: "document", message: "YAML document is not a map" });
        return;
      }
      const ruleId = str(raw.id);
      const issue = (feature, message) => issues.push({ path: file.path, ...ruleId ? { ruleId } : {}, feature, message });
      if (raw.action !== void 0) {
        issue("action", `multi-document action "${String(raw.action)}" (Sigma v1 collections) is not supported`);
        return;
      }
      if (isMap(raw.correlation)) {
        const spec = parseCorrelation(raw.correlation);
        if (typeof spec === "string") {
          issue("correlation", spec);
          return;
        }
        correlations.push({ info: infoOf(raw, file.path, index, "correlation"), correlation: spec });
        return;
      }
      if (isMap(raw.filter)) {
        issue("global-filter", "Sigma global filter documents are applied through rule FP filters in Khi\xEAn");
        return;
      }
      if (!isMap(raw.detection)) {
        issue("detection", "rule has no detection section");
        return;
      }
      if (raw.detection.condition === void 0) {
        issue("condition", "detection has no condition");
        return;
      }
      detections.push({ info: infoOf(raw, file.path, index, "detection"), detection: raw.detection });
    });
  }
  const refs = /* @__PURE__ */ new Map();
  for (const c of correlations) {
    for (const r of c.correlation.rules) refs.set(r, (refs.get(r) ?? false) || c.correlation.generate);
  }
  for (const d of detections) {
    const gen = refs.get(d.info.id) ?? (d.info.name ? refs.get(d.info.name) : void 0);
    if (gen === false) d.info.correlationOnly = true;
  }
  for (const c of correlations) {
    const gen = refs.get(c.info.id) ?? (c.info.name ? refs.get(c.info.name) : void 0);
    if (gen === false) c.info.correlationOnly = true;
  }
  return {
    detections,
    correlations,
    issues,
    rules: [...detections.map((d) => d.info), ...correlations.map((c) => c.info)]
  };
}

// src/server/engines/sigma/cidr.ts
function parseV4(s) {
  const parts = s.split(".");
  if (parts.length !== 4) return void 0;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return void 0;
    const b = Number(p);
    if (b > 255) return void 0;
    n = n * 256 + b;
  }
  return n;
}
function parseIp(raw) {
  let s = raw.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct);
  if (!s.includes(":")) {
    const v4 = parseV4(s);
    return v4 === void 0 ? void 0 : [0, 0, 65535, v4];
  }
  let tail = [];
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseV4(last);
    if (v4 === void 0) return void 0;
    tail = [v4 >>> 16, v4 & 65535];
    s = s.slice(0, lastColon + 1) + "0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return void 0;
  const parse = (h) => h === "" ? [] : h.split(":").map((x) => /^[0-9a-fA-F]{1,4}$/.test(x) ? parseInt(x, 16) : NaN);
  const head = parse(halves[0]);
  let groups;
  if (halves.length === 2) {
    const back = parse(halves[1]);
    const fill = 8 - head.length - back.length;
    if (fill < 0) return void 0;
    groups = [...head, ...new Array(fill).fill(0), ...back];
  } else groups = head;
  if (tail.length) groups = [...groups.slice(0, groups.length - 1), ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return void 0;
  return [
    (groups[0] << 16 | groups[1]) >>> 0,
    (groups[2] << 16 | groups[3]) >>> 0,
    (groups[4] << 16 | groups[5]) >>> 0,
    (groups[6] << 16 | groups[7]) >>> 0
  ];
}
function parseCidr(s) {
  const [addr, bitsText] = s.split("/");
  const ip = parseIp(addr ?? "");
  if (!ip) return void 0;
  const isV4 = !(addr ?? "").includes(":");
  let bits = bitsText === void 0 ? isV4 ? 32 : 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > (isV4 ? 32 : 128)) return void 0;
  if (isV4) bits += 96;
  const mask = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, bits - i * 32));
    mask[i] = b === 0 ? 0 : b === 32 ? 4294967295 : 4294967295 << 32 - b >>> 0;
  }
  const net = ip.map((w, i) => (w & mask[i]) >>> 0);
  return { net, mask };
}
function inCidr(ip, c) {
  for (let i = 0; i < 4; i++) if ((ip[i] & c.mask[i]) >>> 0 !== c.net[i]) return false;
  return true;
}

// src/server/engines/sigma/fields.ts
var FIELD_ALIASES = {
  Image: ["NewProcessName", "process.executable"],
  ParentImage: ["ParentProcessName", "process.parent.executable"],
  CommandLine: ["process.command_line"],
  ParentCommandLine: ["process.parent.command_line"],
  Computer: ["host.name"],
  ComputerName: ["host.name"],
  "c-uri": ["url.original"],
  "cs-uri-stem": ["url.path"],
  "cs-uri-query": ["url.query"],
  "cs-method": ["http.request.method"],
  "sc-status": ["http.response.status_code"],
  "c-useragent": ["user_agent.original"],
  "cs-user-agent": ["user_agent.original"],
  "cs-referer": ["http.request.referrer"],
  "cs-cookie": ["http.request.cookie"],
  "c-ip": ["source.ip"],
  "cs-host": ["url.domain"],
  "c-uri-extension": ["url.extension"],
  "r-dns": ["url.domain"],
  keywords: ["message"]
};
function fieldGetter(field) {
  const fallbacks = FIELD_ALIASES[field];
  if (!fallbacks) return (e) => e[field];
  if (fallbacks.length === 1) {
    const f1 = fallbacks[0];
    return (e) => {
      const v = e[field];
      return v === void 0 ? e[f1] : v;
    };
  }
  return (e) => {
    const v = e[field];
    if (v !== void 0) return v;
    for (const f of fallbacks) {
      const w = e[f];
      if (w !== void 0) return w;
    }
    return void 0;
  };
}
var KEYWORD_FIELD = "message";

// src/server/engines/sigma/wildcard.ts
var STAR = /* @__PURE__ */ Symbol("*");
var QMARK = /* @__PURE__ */ Symbol("?");
function tokenize(s) {
  const out = [];
  let acc = "";
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      acc += c === "*" || c === "?" || c === "\\" ? c : `\\${c}`;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else if (c === "*" || c === "?") {
      if (acc) out.push(acc);
      acc = "";
      out.push(c === "*" ? STAR : QMARK);
    } else acc += c;
  }
  if (escaped) acc += "\\";
  if (acc) out.push(acc);
  return out;
}
function hasWildcard(tokens) {
  return tokens.some((t) => typeof t !== "string");
}
function literalOf(tokens) {
  return tokens.map((t) => typeof t === "string" ? t : "").join("");
}
function escapeRegex(s) {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
function tokensToRegexSource(tokens) {
  return tokens.map((t) => t === STAR ? "[\\s\\S]*" : t === QMARK ? "[\\s\\S]" : escapeRegex(t)).join("");
}
function longestLiteral(tokens) {
  let best = "";
  for (const t of tokens) if (typeof t === "string" && t.length > best.length) best = t;
  return best;
}

// src/server/engines/sigma/values.ts
var LowerCache = class _LowerCache {
  short = /* @__PURE__ */ new Map();
  longKeys = [];
  longValues = [];
  static SHORT_MAX = 256;
  static ENTRIES = 16384;
  get(s) {
    if (s.length <= _LowerCache.SHORT_MAX) {
      let l2 = this.short.get(s);
      if (l2 === void 0) {
        l2 = s.toLowerCase();
        if (this.short.size >= _LowerCache.ENTRIES) this.short.clear();
        this.short.set(s, l2);
      }
      return l2;
    }
    const keys = this.longKeys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === s) return this.longValues[i];
    const l = s.toLowerCase();
    keys.push(s);
    this.longValues.push(l);
    return l;
  }
  /** Forget the long strings of the previous event. */
  nextEvent() {
    this.longKeys.length = 0;
    this.longValues.length = 0;
  }
};
function lower(ctx, s) {
  return ctx.lc.get(s);
}
var MIN_LITERAL = 1;
var MATCH_MODS = /* @__PURE__ */ new Set(["contains", "startswith", "endswith"]);
var TRANSFORM_MODS = /* @__PURE__ */ new Set(["wide", "utf16le", "utf16be", "utf16", "base64", "base64offset", "windash", "expand"]);
var NUM_MODS = /* @__PURE__ */ new Set(["lt", "lte", "gt", "gte"]);
var TIME_MODS = /* @__PURE__ */ new Set(["minute", "hour", "day", "week", "month", "year"]);
var OTHER_MODS = /* @__PURE__ */ new Set(["all", "re", "i", "m", "s", "ignorecase", "multiline", "dotall", "cidr", "exists", "fieldref", "cased", "neq"]);
function toBuffer(v) {
  return Buffer.from(v.s, v.bytes ? "latin1" : "utf8");
}
function utf16(v, be, bom) {
  const le = Buffer.from(v.s, "utf16le");
  let out = le;
  if (be) {
    out = Buffer.from(le);
    out.swap16();
  }
  if (bom) out = Buffer.concat([Buffer.from(be ? [254, 255] : [255, 254]), out]);
  return { s: out.toString("latin1"), bytes: true };
}
function base64offset(v) {
  const buf = toBuffer(v);
  const start = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 32), buf]).toString("base64");
    const cut = endCut[(buf.length + i) % 3];
    out.push({ s: enc.slice(start[i], cut ? enc.length - cut : enc.length), bytes: false });
  }
  return out;
}
var DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];
function windash(v) {
  if (!/(^|[^\w])[-/]\w/.test(v.s)) return [v];
  return DASHES.map((d) => ({ s: v.s.replace(/(^|[^\w])[-/](?=\w)/g, `$1${d}`), bytes: v.bytes }));
}
function expand(v, placeholders) {
  const names = [...v.s.matchAll(/%([A-Za-z0-9_]+)%/g)].map((m) => m[1]);
  let out = [v.s];
  for (const name of new Set(names)) {
    const values = placeholders?.[name];
    if (!values || values.length === 0) throw new SigmaFeatureError("expand", `placeholder %${name}% has no configured values`);
    out = out.flatMap((s) => values.map((x) => s.split(`%${name}%`).join(x)));
  }
  return out.map((s) => ({ s, bytes: v.bytes }));
}
function scalarString(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return void 0;
}
function anyScalar(v, fn) {
  if (v === void 0 || v === null) return false;
  if (typeof v === "string") return fn(v);
  if (typeof v === "number" || typeof v === "boolean") return fn(String(v));
  for (const x of v) if (fn(typeof x === "string" ? x : String(x))) return true;
  return false;
}
function anyScalarCtx(v, t, ctx) {
  if (v === void 0 || v === null) return false;
  if (typeof v === "string") return t(v, ctx);
  if (typeof v === "number" || typeof v === "boolean") return t(String(v), ctx);
  for (const x of v) if (t(typeof x === "string" ? x : String(x), ctx)) return true;
  return false;
}
function keyAt(s, i, k) {
  let g = 0;
  for (let j = 0; j < k; j++) {
    const c = s.charCodeAt(i + j);
    g = g << 7 | (c > 127 ? 0 : c);
  }
  return g;
}
function multiLiteral(mode, lits) {
  if (mode === "eq") {
    const set = new Set(lits);
    return (v) => set.has(v);
  }
  let minLen = Infinity;
  for (const l of lits) minLen = Math.min(minLen, l.length);
  if (minLen === 0) return () => true;
  if (mode === "contains" && lits.length <= 4) {
    return (v) => {
      if (v.length < minLen) return false;
      for (const l of lits) if (v.includes(l)) return true;
      return false;
    };
  }
  const k = Math.min(minLen, 4);
  const byKey = /* @__PURE__ */ new Map();
  for (const l of lits) {
    const key = keyAt(l, mode === "endswith" ? l.length - k : 0, k);
    const list = byKey.get(key);
    if (list) list.push(l);
    else byKey.set(key, [l]);
  }
  if (mode === "startswith") {
    return (v) => {
      if (v.length < minLen) return false;
      const list = byKey.get(keyAt(v, 0, k));
      if (list) {
        for (const l of list) if (v.startsWith(l)) return true;
      }
      return false;
    };
  }
  if (mode === "endswith") {
    return (v) => {
      if (v.length < minLen) return false;
      const list = byKey.get(keyAt(v, v.length - k, k));
      if (list) {
        for (const l of list) if (v.endsWith(l)) return true;
      }
      return false;
    };
  }
  const table = new Uint8Array(4096);
  for (const key of byKey.keys()) table[Math.imul(key, 2654435761) >>> 20] = 1;
  const mask = k === 4 ? 268435455 : (1 << 7 * k) - 1;
  return (v) => {
    const n = v.length;
    if (n < minLen) return false;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      g = (g << 7 | (c > 127 ? 0 : c)) & mask;
      if (i < k - 1 || table[Math.imul(g, 2654435761) >>> 20] === 0) continue;
      const list = byKey.get(g);
      if (list) {
        for (const l of list) if (v.startsWith(l, i - k + 1)) return true;
      }
    }
    return false;
  };
}
function simplify(tokens, mode) {
  if (mode !== "eq") return { tokens, mode };
  const n = tokens.length;
  const inner = (a, b) => tokens.slice(a, b);
  if (n >= 3 && tokens[0] === STAR && tokens[n - 1] === STAR && !hasWildcard(inner(1, n - 1))) return { tokens: inner(1, n - 1), mode: "contains" };
  if (n >= 2 && tokens[n - 1] === STAR && !hasWildcard(inner(0, n - 1))) return { tokens: inner(0, n - 1), mode: "startswith" };
  if (n >= 2 && tokens[0] === STAR && !hasWildcard(inner(1, n))) return { tokens: inner(1, n), mode: "endswith" };
  return { tokens, mode };
}
function stringTest(pattern, mode, cased) {
  const s = simplify(tokenize(pattern), mode);
  const lit = longestLiteral(s.tokens).toLowerCase();
  if (!hasWildcard(s.tokens)) {
    const plain = literalOf(s.tokens).toLowerCase();
    const r = stringTestPlain(s.tokens, s.mode, cased, lit);
    return cased ? r : { ...r, plain };
  }
  const body = tokensToRegexSource(cased ? s.tokens : s.tokens.map((t) => typeof t === "string" ? t.toLowerCase() : t));
  const src = s.mode === "eq" ? `^${body}$` : s.mode === "startswith" ? `^${body}` : s.mode === "endswith" ? `${body}$` : body;
  const re = new RegExp(src);
  return { t: cased ? (raw) => re.test(raw) : (raw, ctx) => re.test(lower(ctx, raw)), lit, mode: s.mode };
}
function stringTestPlain(tokens, mode, cased, lit) {
  const s = { tokens, mode };
  {
    const L = cased ? literalOf(s.tokens) : literalOf(s.tokens).toLowerCase();
    const get = cased ? (raw) => raw : (raw, ctx) => lower(ctx, raw);
    switch (s.mode) {
      case "eq":
        return { t: (raw, ctx) => raw.length === L.length && get(raw, ctx) === L, lit, mode };
      case "contains":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).includes(L), lit, mode };
      case "startswith":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).startsWith(L), lit, mode };
      case "endswith":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).endsWith(L), lit, mode };
    }
  }
}
function compileRegex(pattern, flags) {
  let p = pattern;
  let f = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline) {
    if (inline[1].includes("x")) throw new SigmaFeatureError("re", "regular expression flag x (extended) is not supported");
    for (const c of inline[1]) if (!f.includes(c)) f += c;
    p = p.slice(inline[0].length);
  }
  if (/\(\?[<]?[=!]/.test(p) === false && /\(\?P</.test(p)) p = p.replace(/\(\?P</g, "(?<");
  try {
    return new RegExp(p, f);
  } catch (e) {
    throw new SigmaFeatureError("re", `regular expression not valid in JavaScript: ${e.message}`);
  }
}
var REGEX_CLASS_ESCAPES = new Set("dDwWsSbBcxuUpPk0123456789nrtfv");
function regexLiterals(pattern) {
  let p = pattern;
  const inline = /^\(\?[imsx]+\)/.exec(p);
  if (inline) p = p.slice(inline[0].length);
  const branches = [];
  let best = "";
  let run2 = "";
  let depth = 0;
  const endRun = () => {
    if (run2.length > best.length) best = run2;
    run2 = "";
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      const d = p[i + 1];
      if (d === void 0) return null;
      i++;
      if (depth > 0) continue;
      if (REGEX_CLASS_ESCAPES.has(d)) {
        endRun();
        if (d === "x") i += 2;
        else if (d === "u") i = p[i + 1] === "{" ? p.indexOf("}", i) : i + 4;
        else if (d === "p" || d === "P") i = p[i + 1] === "{" ? p.indexOf("}", i) : i;
        else if (d === "k") i = p[i + 1] === "<" ? p.indexOf(">", i) : i;
        else if (d === "c") i += 1;
        else if (d >= "0" && d <= "9") while (p[i + 1] >= "0" && p[i + 1] <= "9") i++;
        if (i < 0) return null;
        continue;
      }
      run2 += d;
    } else if (c === "[") {
      let j = i + 1;
      if (p[j] === "^") j++;
      if (p[j] === "]") j++;
      for (; j < p.length && p[j] !== "]"; j++) if (p[j] === "\\") j++;
      if (j >= p.length) return null;
      i = j;
      if (depth === 0) endRun();
      continue;
    } else if (c === "(") {
      depth++;
      if (depth === 1) endRun();
      continue;
    } else if (c === ")") {
      depth--;
      if (depth < 0) return null;
      continue;
    } else if (depth > 0) continue;
    else if (c === "|") {
      endRun();
      if (!best) return null;
      branches.push(best);
      best = "";
      continue;
    } else if (c === "." || c === "^" || c === "$") {
      endRun();
      continue;
    } else if (c === "?" || c === "*" || c === "+" || c === "{") {
      const optional = c === "?" || c === "*" || c === "{" && /^\{0*,|^\{0+\}|^\{0+,/.test(p.slice(i));
      if (optional) run2 = run2.slice(0, -1);
      endRun();
      if (c === "{") {
        const close = p.indexOf("}", i);
        if (close < 0) return null;
        i = close;
      }
      if (p[i + 1] === "?" || p[i + 1] === "+") i++;
      continue;
    } else run2 += c;
  }
  if (depth !== 0) return null;
  endRun();
  if (!best) return null;
  branches.push(best);
  return branches.map((b) => b.toLowerCase());
}
function regexMinLength(pattern) {
  let p = pattern;
  const inline = /^\(\?[imsx]+\)/.exec(p);
  if (inline) p = p.slice(inline[0].length);
  let i = 0;
  const alt = () => {
    let best = seq();
    while (p[i] === "|") {
      i++;
      best = Math.min(best, seq());
    }
    return best;
  };
  const seq = () => {
    let total = 0;
    while (i < p.length && p[i] !== "|" && p[i] !== ")") {
      let atom = 0;
      const c = p[i];
      if (c === "(") {
        i++;
        let zero = false;
        if (p[i] === "?") {
          if (p[i + 1] === ":") i += 2;
          else if (p[i + 1] === "=" || p[i + 1] === "!") zero = true, i += 2;
          else if (p[i + 1] === "<" && (p[i + 2] === "=" || p[i + 2] === "!")) zero = true, i += 3;
          else if (p[i + 1] === "<") i = p.indexOf(">", i) + 1;
          else return 0;
        }
        const inner = alt();
        if (p[i] !== ")") return 0;
        i++;
        atom = zero ? 0 : inner;
      } else if (c === "[") {
        let j = i + 1;
        if (p[j] === "^") j++;
        if (p[j] === "]") j++;
        for (; j < p.length && p[j] !== "]"; j++) if (p[j] === "\\") j++;
        i = j + 1;
        atom = 1;
      } else if (c === "\\") {
        const d = p[i + 1] ?? "";
        i += 2;
        if (d === "b" || d === "B") atom = 0;
        else if (d >= "1" && d <= "9") {
          while (p[i] >= "0" && p[i] <= "9") i++;
          atom = 0;
        } else if (d === "k") {
          if (p[i] === "<") i = p.indexOf(">", i) + 1;
          if (i <= 0) return 0;
          atom = 0;
        } else if (d === "u" && p[i] === "{") return 0;
        else {
          atom = 1;
          if (d === "x") i += 2;
          else if (d === "u") i += 4;
          else if (d === "c") i += 1;
          else if ((d === "p" || d === "P") && p[i] === "{") i = p.indexOf("}", i) + 1;
        }
      } else if (c === "^" || c === "$") {
        i++;
        atom = 0;
      } else {
        i++;
        atom = 1;
      }
      const q = p[i];
      let times = 1;
      let quantified = false;
      if (q === "*" || q === "?") times = 0, quantified = true, i++;
      else if (q === "+") quantified = true, i++;
      else if (q === "{") {
        const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i));
        if (m) {
          times = Number(m[1]);
          quantified = true;
          i += m[0].length;
        }
      }
      if (quantified && (p[i] === "?" || p[i] === "+")) i++;
      total += atom * times;
    }
    return total;
  };
  const n = alt();
  return i < p.length || !Number.isFinite(n) || n < 0 ? 0 : n;
}
function numberOf(s) {
  return s.trim() === "" ? NaN : Number(s);
}
function timePart(raw, unit) {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return NaN;
  const d = new Date(t);
  switch (unit) {
    case "minute":
      return d.getUTCMinutes();
    case "hour":
      return d.getUTCHours();
    case "day":
      return d.getUTCDate();
    case "month":
      return d.getUTCMonth() + 1;
    case "year":
      return d.getUTCFullYear();
    default: {
      const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dow = day.getUTCDay() || 7;
      day.setUTCDate(day.getUTCDate() + 4 - dow);
      const y0 = Date.UTC(day.getUTCFullYear(), 0, 1);
      return Math.ceil(((day.getTime() - y0) / 864e5 + 1) / 7);
    }
  }
}
function compileFieldItem(key, value, opts) {
  const [rawField = "", ...mods] = key.split("|");
  const keyword = rawField === "";
  const field = keyword ? KEYWORD_FIELD : rawField;
  const get = fieldGetter(field);
  for (const m of mods) {
    if (!MATCH_MODS.has(m) && !TRANSFORM_MODS.has(m) && !NUM_MODS.has(m) && !TIME_MODS.has(m) && !OTHER_MODS.has(m)) {
      throw new SigmaFeatureError(`modifier:${m}`, `unknown modifier "${m}" on ${key}`);
    }
  }
  const has = (m) => mods.includes(m);
  const values = Array.isArray(value) ? value : [value];
  const all = has("all");
  const neq = has("neq");
  const cased = has("cased");
  let mode = keyword ? "contains" : "eq";
  for (const m of mods) if (MATCH_MODS.has(m)) mode = m;
  let test;
  let need = null;
  if (has("exists")) {
    const want = value === true || value === "true" || value === "yes";
    test = (ctx) => {
      const v = get(ctx.e);
      return (v !== void 0 && v !== null) === want;
    };
  } else if (has("fieldref")) {
    const refs = values.map((v) => scalarString(v)).filter((v) => v !== void 0);
    const tests = refs.map((r) => {
      const other = fieldGetter(r);
      return (ctx) => {
        const o = other(ctx.e);
        const os = scalarString(o);
        if (os === void 0) return false;
        const cmp2 = cased ? os : lower(ctx, os);
        return anyScalar(get(ctx.e), (s) => {
          const v = cased ? s : lower(ctx, s);
          return mode === "eq" ? v === cmp2 : mode === "contains" ? v.includes(cmp2) : mode === "startswith" ? v.startsWith(cmp2) : v.endsWith(cmp2);
        });
      };
    });
    test = combine(tests, all);
  } else if (mods.some((m) => NUM_MODS.has(m) || TIME_MODS.has(m))) {
    const op = mods.find((m) => NUM_MODS.has(m));
    const unit = mods.find((m) => TIME_MODS.has(m));
    const tests = values.map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new SigmaFeatureError(`modifier:${op ?? unit}`, `${key}: ${String(v)} is not a number`);
      return (ctx) => anyScalar(get(ctx.e), (s) => {
        const x = unit ? timePart(s, unit) : numberOf(s);
        if (Number.isNaN(x)) return false;
        switch (op) {
          case "lt":
            return x < n;
          case "lte":
            return x <= n;
          case "gt":
            return x > n;
          case "gte":
            return x >= n;
          default:
            return x === n;
        }
      });
    });
    test = combine(tests, all);
  } else if (has("cidr")) {
    const nets = values.map((v) => {
      const c = parseCidr(String(v));
      if (!c) throw new SigmaFeatureError("modifier:cidr", `${key}: "${String(v)}" is not a CIDR network`);
      return c;
    });
    test = (ctx) => anyScalar(get(ctx.e), (s) => {
      const ip = parseIp(s);
      if (!ip) return false;
      for (const n of nets) if (inCidr(ip, n)) return true;
      return false;
    });
  } else if (has("re")) {
    let flags = "";
    if (has("i") || has("ignorecase")) flags += "i";
    if (has("m") || has("multiline")) flags += "m";
    if (has("s") || has("dotall")) flags += "s";
    const tests = values.map((v) => {
      const re = compileRegex(String(v), flags);
      const min = regexMinLength(String(v));
      return (ctx) => anyScalarCtx(get(ctx.e), (s) => s.length >= min && re.test(s), ctx);
    });
    test = combine(tests, all);
    const lits = values.map((v) => regexLiterals(String(v)));
    if (all) {
      const clauses = lits.filter((l) => l !== null).map((l) => l.map((lit) => ({ field, lit })));
      need = clauses.length ? clauses : null;
    } else if (lits.every((l) => l !== null)) need = [lits.flat().map((lit) => ({ field, lit }))];
  } else {
    const perValue = [];
    const plainLits = [];
    let hasNull = false;
    for (const v of values) {
      if (v === null) {
        hasNull = true;
        continue;
      }
      const s0 = scalarString(v);
      if (s0 === void 0) throw new SigmaFeatureError("value", `${key}: unsupported value type ${typeof v}`);
      let vals = [{ s: s0, bytes: false }];
      for (const m of mods) {
        if (m === "wide" || m === "utf16le") vals = vals.map((x) => utf16(x, false, false));
        else if (m === "utf16be") vals = vals.map((x) => utf16(x, true, false));
        else if (m === "utf16") vals = vals.map((x) => utf16(x, false, true));
        else if (m === "base64") vals = vals.map((x) => ({ s: toBuffer(x).toString("base64"), bytes: false }));
        else if (m === "base64offset") vals = vals.flatMap((x) => base64offset(x));
        else if (m === "windash") vals = vals.flatMap((x) => windash(x));
        else if (m === "expand") vals = vals.flatMap((x) => expand(x, opts.placeholders));
      }
      const encoded = mods.some((m) => m === "base64" || m === "base64offset");
      const variants = vals.map((x) => {
        const pattern = encoded || x.bytes ? x.s.replace(/[\\*?]/g, "\\$&") : x.s;
        return stringTest(pattern, mode, cased || encoded);
      });
      if (!all && !cased && !encoded && variants.every((x) => x.plain !== void 0)) {
        for (const x of variants) plainLits.push({ lit: x.plain, mode: x.mode });
        continue;
      }
      const ts = variants.map((x) => x.t);
      perValue.push({
        t: ts.length === 1 ? ts[0] : (raw, ctx) => ts.some((t) => t(raw, ctx)),
        lits: variants.map((x) => x.lit)
      });
    }
    for (const m of ["eq", "contains", "startswith", "endswith"]) {
      const lits = plainLits.filter((p) => p.mode === m).map((p) => p.lit);
      if (lits.length === 0) continue;
      let t;
      if (lits.length === 1) {
        const L = lits[0];
        t = m === "eq" ? (raw, ctx) => raw.length === L.length && lower(ctx, raw) === L : m === "contains" ? (raw, ctx) => raw.length >= L.length && lower(ctx, raw).includes(L) : m === "startswith" ? (raw, ctx) => raw.length >= L.length && lower(ctx, raw).startsWith(L) : (raw, ctx) => raw.length >= L.length && lower(ctx, raw).endsWith(L);
      } else {
        const multi = multiLiteral(m, lits);
        t = (raw, ctx) => multi(lower(ctx, raw));
      }
      perValue.push({ t, lits });
    }
    const strTests = perValue.map(({ t }) => (ctx) => anyScalarCtx(get(ctx.e), t, ctx));
    if (hasNull) {
      if (all) throw new SigmaFeatureError("value", `${key}: null inside an |all list`);
      strTests.push((ctx) => {
        const v = get(ctx.e);
        return v === void 0 || v === null;
      });
    }
    test = strTests.length === 0 ? () => false : combine(strTests, all);
    if (!hasNull && !neq && perValue.length > 0) {
      if (all) {
        const clauses = perValue.filter((pv) => pv.lits.every((l) => l.length >= MIN_LITERAL)).map((pv) => pv.lits.map((lit) => ({ field, lit })));
        need = clauses.length ? clauses : null;
      } else {
        const lits = perValue.flatMap((pv) => pv.lits);
        need = lits.every((l) => l.length >= MIN_LITERAL) ? [lits.map((lit) => ({ field, lit }))] : null;
      }
    }
  }
  if (neq) {
    const inner = test;
    test = (ctx) => {
      const v = get(ctx.e);
      return v !== void 0 && v !== null && !inner(ctx);
    };
    need = null;
  }
  return { test, need, fields: [field] };
}
function combine(tests, all) {
  if (tests.length === 1) return tests[0];
  if (all) return (ctx) => tests.every((t) => t(ctx));
  return (ctx) => tests.some((t) => t(ctx));
}

// src/server/engines/sigma/condition.ts
function isMap2(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
var MAX_CLAUSES = 4;
function clauseScore(c) {
  let min = Infinity;
  for (const a of c) if (a.lit.length < min) min = a.lit.length;
  return Math.min(min, 12) * 4 - Math.log2(c.length);
}
function keepBest(clauses) {
  const seen = /* @__PURE__ */ new Set();
  const uniq = clauses.filter((c) => {
    const k = c.map((a) => `${a.field}\0${a.lit}`).sort().join("");
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniq.sort((x, y) => clauseScore(y) - clauseScore(x));
  return [uniq[0], ...uniq.slice(1).filter((c) => c.every((a) => a.lit.length >= 4))].slice(0, MAX_CLAUSES);
}
function needAnd(needs) {
  const clauses = [];
  for (const n of needs) if (n) clauses.push(...n);
  return clauses.length ? keepBest(clauses) : null;
}
function needOr(needs) {
  if (needs.length === 0) return null;
  for (const n of needs) if (!n || n.length === 0) return null;
  const ns = needs;
  if (ns.length === 1) return ns[0];
  let product = 1;
  for (const n of ns) product *= n.length;
  if (product <= MAX_CLAUSES) {
    let acc = [[]];
    for (const n of ns) acc = acc.flatMap((c) => n.map((d) => [...c, ...d]));
    return keepBest(acc);
  }
  const union = [];
  for (const n of ns) union.push(...[...n].sort((x, y) => clauseScore(y) - clauseScore(x))[0]);
  return [union];
}
function and(tests) {
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (const t of tests) if (!t(ctx)) return false;
    return true;
  };
}
function or(tests) {
  if (tests.length === 1) return tests[0];
  return (ctx) => {
    for (const t of tests) if (t(ctx)) return true;
    return false;
  };
}
function compileSearch(name, value, opts) {
  if (isMap2(value)) {
    const items = Object.entries(value).map(([k, v]) => compileFieldItem(k, v, opts));
    if (items.length === 0) throw new SigmaFeatureError("detection", `search identifier ${name} is an empty map`);
    return { test: and(items.map((i) => i.test)), need: needAnd(items.map((i) => i.need)), fields: items.flatMap((i) => i.fields) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaFeatureError("detection", `search identifier ${name} is an empty list`);
    const maps = value.filter(isMap2);
    const scalars = value.filter((v) => !isMap2(v));
    const parts = maps.map((m, i) => compileSearch(`${name}[${i}]`, m, opts));
    if (scalars.length) {
      if (scalars.some((s) => s === null || typeof s === "object")) throw new SigmaFeatureError("detection", `search identifier ${name}: unsupported keyword value`);
      parts.push(compileFieldItem("|contains", scalars, opts));
    }
    return { test: or(parts.map((p) => p.test)), need: needOr(parts.map((p) => p.need)), fields: parts.flatMap((p) => p.fields) };
  }
  if (typeof value === "string" || typeof value === "number") return compileFieldItem("|contains", [value], opts);
  throw new SigmaFeatureError("detection", `search identifier ${name} has an unsupported value`);
}
function lex(cond) {
  const out = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  const words = [];
  let m;
  let end = 0;
  while (m = re.exec(cond)) {
    words.push(m[1]);
    end = re.lastIndex;
  }
  if (cond.slice(end).trim()) throw new SigmaFeatureError("condition", `cannot read condition "${cond}"`);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const lw = w.toLowerCase();
    if (w === "(") out.push({ t: "lp" });
    else if (w === ")") out.push({ t: "rp" });
    else if (lw === "and") out.push({ t: "and" });
    else if (lw === "or") out.push({ t: "or" });
    else if (lw === "not") out.push({ t: "not" });
    else if (w === "|") throw new SigmaFeatureError("aggregation", 'Sigma v1 aggregation ("| count() \u2026") is obsolete; use a correlation rule');
    else if (lw === "near") throw new SigmaFeatureError("near", 'the "near" operator is obsolete; use a temporal correlation rule');
    else if ((lw === "all" || lw === "any" || /^\d+$/.test(lw)) && words[i + 1]?.toLowerCase() === "of") {
      out.push({ t: "of", q: lw === "all" ? "all" : lw === "any" ? 1 : Number(lw) });
      i++;
    } else out.push({ t: "id", v: w });
  }
  return out;
}
function patternNames(pattern, table) {
  if (pattern === "them") return table.names().filter((n) => !n.startsWith("_"));
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return table.names().filter((n) => re.test(n));
}
function compileCondition(cond, table) {
  const toks = lex(cond);
  let pos = 0;
  const peek = () => toks[pos];
  const fields = /* @__PURE__ */ new Set();
  function orExpr() {
    const parts = [andExpr()];
    while (peek()?.t === "or") {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0] : { test: or(parts.map((p) => p.test)), need: needOr(parts.map((p) => p.need)), fields: [] };
  }
  function andExpr() {
    const parts = [notExpr()];
    while (peek()?.t === "and") {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0] : { test: and(parts.map((p) => p.test)), need: needAnd(parts.map((p) => p.need)), fields: [] };
  }
  function notExpr() {
    if (peek()?.t === "not") {
      pos++;
      const inner = notExpr();
      const t = inner.test;
      return { test: (ctx) => !t(ctx), need: null, fields: [] };
    }
    return primary();
  }
  function primary() {
    const tok = toks[pos++];
    if (!tok) throw new SigmaFeatureError("condition", `condition "${cond}" ends early`);
    if (tok.t === "lp") {
      const inner = orExpr();
      if (toks[pos++]?.t !== "rp") throw new SigmaFeatureError("condition", `condition "${cond}": missing ")"`);
      return inner;
    }
    if (tok.t === "of") {
      const target = toks[pos++];
      if (target?.t !== "id") throw new SigmaFeatureError("condition", `condition "${cond}": "of" needs a name pattern`);
      const names = patternNames(target.v, table);
      if (names.length === 0) throw new SigmaFeatureError("condition", `condition "${cond}": no search identifier matches ${target.v}`);
      const items = names.map((n) => table.get(n));
      items.forEach((i) => i.fields.forEach((f) => fields.add(f)));
      if (tok.q === "all") return { test: and(items.map((i) => i.test)), need: needAnd(items.map((i) => i.need)), fields: [] };
      if (tok.q === 1) return { test: or(items.map((i) => i.test)), need: needOr(items.map((i) => i.need)), fields: [] };
      const q = tok.q;
      const tests = items.map((i) => i.test);
      return {
        test: (ctx) => {
          let n = 0;
          for (const t of tests) if (t(ctx) && ++n >= q) return true;
          return false;
        },
        need: null,
        fields: []
      };
    }
    if (tok.t === "id") {
      const item = table.get(tok.v);
      if (!item) throw new SigmaFeatureError("condition", `condition "${cond}" names unknown search identifier ${tok.v}`);
      item.fields.forEach((f) => fields.add(f));
      return item;
    }
    throw new SigmaFeatureError("condition", `condition "${cond}": unexpected ${tok.t}`);
  }
  const out = orExpr();
  if (pos < toks.length) throw new SigmaFeatureError("condition", `condition "${cond}": unexpected text after position ${pos}`);
  return { test: out.test, need: out.need, fields: [...fields] };
}
function compileDetection(detection, opts) {
  const compiled = /* @__PURE__ */ new Map();
  for (const [name, value] of Object.entries(detection)) {
    if (name === "condition" || name === "timeframe") continue;
    compiled.set(name, compileSearch(name, value, opts));
  }
  if (detection.timeframe !== void 0) throw new SigmaFeatureError("timeframe", "detection timeframe (Sigma v1 aggregation) is obsolete; use a correlation rule");
  const table = { get: (n) => compiled.get(n), names: () => [...compiled.keys()] };
  const conds = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  const items = conds.map((c) => {
    if (typeof c !== "string") throw new SigmaFeatureError("condition", "condition must be a string");
    return compileCondition(c, table);
  });
  if (items.length === 1) return items[0];
  return { test: or(items.map((i) => i.test)), need: needOr(items.map((i) => i.need)), fields: [...new Set(items.flatMap((i) => i.fields))] };
}

// src/server/engines/sigma/logsource.ts
var SYSMON = "microsoft-windows-sysmon/operational";
var SYSMON_CATEGORIES = {
  1: ["process_creation"],
  2: ["file_change"],
  3: ["network_connection"],
  4: ["sysmon_status"],
  5: ["process_termination"],
  6: ["driver_load"],
  7: ["image_load"],
  8: ["create_remote_thread"],
  9: ["raw_access_thread", "raw_access_read"],
  10: ["process_access"],
  11: ["file_event"],
  12: ["registry_event"],
  13: ["registry_set", "registry_event"],
  14: ["registry_rename", "registry_event"],
  15: ["create_stream_hash"],
  16: ["sysmon_status"],
  17: ["pipe_created"],
  18: ["pipe_created"],
  19: ["wmi_event"],
  20: ["wmi_event"],
  21: ["wmi_event"],
  22: ["dns_query"],
  23: ["file_delete"],
  24: ["clipboard_capture"],
  25: ["process_tampering"],
  26: ["file_delete", "file_delete_detected"],
  27: ["file_block", "file_block_executable"],
  28: ["file_block", "file_block_shredding"],
  29: ["file_executable_detected"],
  255: ["sysmon_error"]
};
var CHANNEL_SERVICES = {
  security: ["security"],
  system: ["system"],
  application: ["application"],
  [SYSMON]: ["sysmon"],
  "microsoft-windows-powershell/operational": ["powershell"],
  "powershellcore/operational": ["powershell"],
  "windows powershell": ["powershell-classic"],
  "microsoft-windows-windows defender/operational": ["windefend"],
  "microsoft-windows-windows firewall with advanced security/firewall": ["firewall-as"],
  "microsoft-windows-dns-server/analytical": ["dns-server-analytic"],
  "dns server": ["dns-server"],
  "microsoft-windows-driverframeworks-usermode/operational": ["driver-framework"],
  "microsoft-windows-wmi-activity/operational": ["wmi"],
  "microsoft-windows-terminalservices-localsessionmanager/operational": ["terminalservices-localsessionmanager"],
  "microsoft-windows-terminalservices-remoteconnectionmanager/operational": ["terminalservices-remoteconnectionmanager"],
  "msexchange management": ["msexchange-management"],
  "openssh/operational": ["openssh"],
  "microsoft-windows-bitlocker/bitlocker management": ["bitlocker"],
  "microsoft-windows-dhcp-server/operational": ["dhcp"],
  "microsoft-windows-ldap-client/debug": ["ldap_debug", "ldap"],
  "microsoft-windows-applocker/msi and script": ["applocker"],
  "microsoft-windows-applocker/exe and dll": ["applocker"],
  "microsoft-windows-applocker/packaged app-deployment": ["applocker"],
  "microsoft-windows-applocker/packaged app-execution": ["applocker"],
  "microsoft-windows-security-mitigations/kernel mode": ["security-mitigations"],
  "microsoft-windows-security-mitigations/user mode": ["security-mitigations"],
  "microsoft-windows-codeintegrity/operational": ["codeintegrity-operational"],
  "microsoft-windows-printservice/admin": ["printservice-admin"],
  "microsoft-windows-printservice/operational": ["printservice-operational"],
  "microsoft-windows-smbclient/security": ["smbclient-security"],
  "microsoft-windows-smbclient/connectivity": ["smbclient-connectivity"],
  "microsoft-windows-appxdeploymentserver/operational": ["appxdeployment-server"],
  "microsoft-windows-appxpackaging/operational": ["appxpackaging-om"],
  "microsoft-windows-appmodel-runtime/admin": ["appmodel-runtime"],
  "microsoft-windows-capi2/operational": ["capi2"],
  "microsoft-windows-certificateservicesclient-lifecycle-system/operational": ["certificateservicesclient-lifecycle-system"],
  "microsoft-windows-lsa/operational": ["lsa-server"],
  "microsoft-windows-kernel-shimengine/operational": ["shimcache"],
  "microsoft-windows-ntlm/operational": ["ntlm"],
  "microsoft-windows-bits-client/operational": ["bits-client"],
  "microsoft-windows-taskscheduler/operational": ["taskscheduler"],
  "microsoft-windows-shell-core/operational": ["shell-core"],
  "microsoft-windows-diagnosis-scripted/operational": ["diagnosis-scripted"],
  "microsoft-windows-vhdmp/operational": ["vhdmp"],
  "microsoft-windows-hyper-v-worker-admin": ["hyper-v-worker"],
  "microsoft-windows-sense/operational": ["sense"]
};
function str2(v) {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : void 0;
}
function channelServices(channel) {
  const c = channel.toLowerCase();
  const known = CHANNEL_SERVICES[c];
  if (known) return known;
  const base = c.replace(/^microsoft-windows-/, "");
  const [head = base] = base.split("/");
  return [.../* @__PURE__ */ new Set([head, base.replace(/[/ ]/g, "-")])];
}
var AUTH_ACTIONS = /* @__PURE__ */ new Set(["ssh_login", "logon", "login", "pam_auth", "su", "authentication"]);
function logsourceSignature(e) {
  const eid = e.EventID;
  let sig = `${str2(e["khien.logsource.product"]) ?? ""}${str2(e["khien.logsource.category"]) ?? ""}${str2(e["khien.logsource.service"]) ?? ""}`;
  const ch = e.Channel;
  if (typeof ch === "string") sig += `${ch}${String(eid)}`;
  if (eid === 12 || eid === "12") sig += `${String(e.EventType)}`;
  const action = e["event.action"];
  if (typeof action === "string" && AUTH_ACTIONS.has(action)) sig += "auth";
  const ecsCat = e["event.category"];
  if (ecsCat !== void 0) sig += `${String(ecsCat)}`;
  return sig;
}
function eventLogsource(e) {
  let product = str2(e["khien.logsource.product"])?.toLowerCase();
  const categories = /* @__PURE__ */ new Set();
  const services = /* @__PURE__ */ new Set();
  const c = str2(e["khien.logsource.category"]);
  if (c) for (const x of c.toLowerCase().split(",")) categories.add(x.trim());
  const s = str2(e["khien.logsource.service"]);
  if (s) for (const x of s.toLowerCase().split(",")) services.add(x.trim());
  const action = e["event.action"];
  if (typeof action === "string" && AUTH_ACTIONS.has(action)) categories.add("authentication");
  const ecsCat = e["event.category"];
  for (const x of Array.isArray(ecsCat) ? ecsCat : typeof ecsCat === "string" ? [ecsCat] : []) categories.add(String(x).toLowerCase());
  const channel = str2(e.Channel);
  if (channel !== void 0) {
    product ??= "windows";
    for (const x of channelServices(channel)) services.add(x);
    const eid = Number(e.EventID);
    const ch = channel.toLowerCase();
    if (ch === SYSMON) {
      for (const x of SYSMON_CATEGORIES[eid] ?? []) categories.add(x);
      if (eid === 12) {
        const t = String(e.EventType ?? "").toLowerCase();
        if (t === "createkey" || t === "createvalue") categories.add("registry_add");
        if (t === "deletekey" || t === "deletevalue") categories.add("registry_delete");
      }
    } else if (ch === "security") {
      if (eid === 4688) categories.add("process_creation");
      if (eid === 4689) categories.add("process_termination");
      if (eid === 4663) categories.add("file_access");
    } else if (ch === "microsoft-windows-powershell/operational" || ch === "powershellcore/operational") {
      if (eid === 4104) categories.add("ps_script");
      if (eid === 4103) categories.add("ps_module");
    } else if (ch === "windows powershell") {
      if (eid === 400) categories.add("ps_classic_start");
      if (eid === 600) categories.add("ps_classic_provider_start");
      if (eid === 800) categories.add("ps_classic_script");
    } else if (ch === "microsoft-windows-kernel-file/analytic") {
      if (eid === 12) categories.add("file_access");
      if (eid === 19 || eid === 27) categories.add("file_rename");
    }
  }
  return { product, categories: [...categories], services: [...services] };
}
function ruleLogsourceKey(ls) {
  return `${ls.product ?? "*"}|${ls.category ?? "*"}|${ls.service ?? "*"}`;
}
function eventLogsourceKeys(ls) {
  const ps = ls.product ? [ls.product, "*"] : ["*"];
  const cs = [...ls.categories, "*"];
  const ss = [...ls.services, "*"];
  const out = [];
  for (const p of ps) for (const c of cs) for (const s of ss) out.push(`${p}|${c}|${s}`);
  return out;
}

// src/server/engines/sigma/detector.ts
var GRAM_MASK = 268435455;
var KEY4 = 268435456;
var SHORT_MASK = [0, 127, 16383, 2097151];
function gramAt(s, i, k) {
  let g = 0;
  for (let j = 0; j < k; j++) g = g << 7 | code7(s.charCodeAt(i + j));
  return g;
}
function code7(c) {
  return c > 127 ? 0 : c;
}
function keyOf(gram, k) {
  return k === 4 ? gram & GRAM_MASK | KEY4 : gram & SHORT_MASK[k] | k << 21;
}
function bloomBit(key) {
  return Math.imul(key, 2654435761) >>> 16;
}
function filterTests(rule, filters, placeholders) {
  if (!filters?.length) return [];
  return filters.map((f, i) => {
    let detection = f.detection;
    if (!detection && f.fields) detection = { filter: f.fields, condition: "filter" };
    if (!detection) throw new SigmaFeatureError("filter", `filter ${f.id ?? i} of rule ${rule.id} is empty`);
    return compileDetection(detection, { placeholders }).test;
  });
}
function compileDetector(parsed, opts = {}) {
  const issues = [...parsed.issues];
  const rules = [];
  for (const d of parsed.detections) {
    if (opts.enabled && !opts.enabled(d.info)) continue;
    try {
      const c = compileDetection(d.detection, { placeholders: opts.placeholders });
      const fields = [...new Set(c.fields)];
      rules.push({
        idx: rules.length,
        info: d.info,
        key: ruleLogsourceKey(d.info.logsource),
        test: c.test,
        need: c.need && c.need.length > 0 && c.need.length <= 31 && c.need.every((cl) => cl.length > 0 && cl.every((a) => a.lit.length >= MIN_LITERAL)) ? c.need : null,
        fields,
        getters: fields.map((f) => [f, fieldGetter(f)]),
        filters: filterTests(d.info, opts.filters?.[d.info.id], opts.placeholders)
      });
    } catch (e) {
      if (!(e instanceof SigmaFeatureError)) throw e;
      issues.push({ path: d.info.path ?? "", ruleId: d.info.id, feature: e.feature, message: e.message });
    }
  }
  const freq = /* @__PURE__ */ new Map();
  for (const r of rules) {
    for (const clause of r.need ?? []) {
      for (const a of clause) {
        const seen = /* @__PURE__ */ new Set();
        for (let i = 0; i + 4 <= a.lit.length; i++) seen.add(gramAt(a.lit, i, 4));
        for (const g of seen) freq.set(g, (freq.get(g) ?? 0) + 1);
      }
    }
  }
  const keyFor = (lit) => {
    if (lit.length < 4) return { key: keyOf(gramAt(lit, 0, lit.length), lit.length), back: lit.length - 1, k: lit.length };
    let best = 0;
    let bf = Infinity;
    for (let i = 0; i + 4 <= lit.length; i++) {
      const f = freq.get(gramAt(lit, i, 4)) ?? 0;
      if (f < bf) {
        bf = f;
        best = i;
      }
    }
    return { key: keyOf(gramAt(lit, best, 4), 4), back: best + 3, k: 4 };
  };
  const byKey = /* @__PURE__ */ new Map();
  for (const r of rules) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const full = new Int32Array(rules.length);
  for (const r of rules) full[r.idx] = r.need ? (1 << r.need.length) - 1 : 0;
  const buckets = /* @__PURE__ */ new Map();
  const bucketFor = (e) => {
    const sig = logsourceSignature(e);
    let b = buckets.get(sig);
    if (b) return b;
    const keys = eventLogsourceKeys(eventLogsource(e));
    const always = [];
    const idx = /* @__PURE__ */ new Map();
    for (const k of keys) {
      for (const r of byKey.get(k) ?? []) {
        if (!r.need || opts.index === false) {
          always.push(r);
          continue;
        }
        const added = /* @__PURE__ */ new Set();
        r.need.forEach((clause, c) => {
          for (const { field, lit } of clause) {
            const dedup = `${c}\0${field}\0${lit}`;
            if (added.has(dedup)) continue;
            added.add(dedup);
            let fi = idx.get(field);
            if (!fi) idx.set(field, fi = { field, get: fieldGetter(field), map: /* @__PURE__ */ new Map(), bloom: new Int32Array(2048), ks: 0 });
            const { key, back, k: kk } = keyFor(lit);
            fi.ks |= 1 << kk - 1;
            const h = bloomBit(key);
            fi.bloom[h >>> 5] |= 1 << (h & 31);
            let list = fi.map.get(key);
            if (!list) fi.map.set(key, list = []);
            let entry = list.find((x) => x.lit === lit);
            if (!entry) list.push(entry = { lit, back, exact: lit.length <= 4 && /^[\x01-\x7f]*$/.test(lit), rules: [], bits: [] });
            entry.rules.push(r.idx);
            entry.bits.push(1 << c);
          }
        });
      }
    }
    b = { always, indexes: [...idx.values()] };
    if (buckets.size > 1e4) buckets.clear();
    buckets.set(sig, b);
    return b;
  };
  const hitEpoch = new Int32Array(rules.length);
  const hitMask = new Int32Array(rules.length);
  let epoch = 0;
  const candidates = [];
  const ctx = { e: {}, lc: new LowerCache() };
  const probe = (fi, key, s, end) => {
    const h = bloomBit(key);
    if ((fi.bloom[h >>> 5] >>> (h & 31) & 1) === 0) return;
    const list = fi.map.get(key);
    if (list === void 0) return;
    for (const en of list) {
      const start = end - en.back;
      if (!en.exact && (start < 0 || !s.startsWith(en.lit, start))) continue;
      const rs = en.rules;
      for (let j = 0; j < rs.length; j++) {
        const ri = rs[j];
        const bit = en.bits[j];
        let m;
        if (hitEpoch[ri] !== epoch) {
          hitEpoch[ri] = epoch;
          m = bit;
        } else {
          m = hitMask[ri];
          if (m & bit) continue;
          m |= bit;
        }
        hitMask[ri] = m;
        if (m === full[ri]) candidates.push(rules[ri]);
      }
    }
  };
  const scan = (fi, text) => {
    const s = lower(ctx, text);
    const n = s.length;
    const ks = fi.ks;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      g = (g << 7 | (c > 127 ? 0 : c)) & GRAM_MASK;
      if (ks & 8 && i >= 3) probe(fi, g | KEY4, s, i);
      if (ks & 4 && i >= 2) probe(fi, g & 2097151 | 3 << 21, s, i);
      if (ks & 2 && i >= 1) probe(fi, g & 16383 | 2 << 21, s, i);
      if (ks & 1) probe(fi, g & 127 | 1 << 21, s, i);
    }
  };
  const matched = (r, e) => {
    const out = {};
    for (const [f, get] of r.getters) {
      const v = get(e);
      if (v !== void 0) out[f] = v;
    }
    return out;
  };
  const evaluate = (r, out) => {
    if (!r.test(ctx)) return;
    for (const f of r.filters) if (f(ctx)) return;
    out.push({ rule: r.info, matched: matched(r, ctx.e) });
  };
  return {
    rules: rules.map((r) => r.info),
    issues,
    match(event) {
      const out = [];
      const b = bucketFor(event);
      ctx.e = event;
      ctx.lc.nextEvent();
      epoch = epoch + 1 | 0;
      if (epoch === 0) {
        hitEpoch.fill(0);
        epoch = 1;
      }
      candidates.length = 0;
      for (const fi of b.indexes) {
        const v = fi.get(event);
        if (v === void 0 || v === null) continue;
        if (typeof v === "string") scan(fi, v);
        else if (typeof v === "number" || typeof v === "boolean") scan(fi, String(v));
        else for (const x of v) scan(fi, String(x));
      }
      for (const r of b.always) evaluate(r, out);
      for (const r of candidates) evaluate(r, out);
      ctx.e = {};
      return out;
    }
  };
}

// src/server/engines/sigma/correlation.ts
var MAX_EVENT_IDS = 200;
function cmp(c, x) {
  if (c.gt !== void 0 && !(x > c.gt)) return false;
  if (c.gte !== void 0 && !(x >= c.gte)) return false;
  if (c.lt !== void 0 && !(x < c.lt)) return false;
  if (c.lte !== void 0 && !(x <= c.lte)) return false;
  if (c.eq !== void 0 && x !== c.eq) return false;
  if (c.neq !== void 0 && x === c.neq) return false;
  return true;
}
function scalarKey(v) {
  if (v === void 0 || v === null) return void 0;
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
  return sorted[rank];
}
function createCorrelator(parsed, detector) {
  void detector;
  const corrs = parsed.correlations.map((def) => {
    const spec = def.correlation;
    const groupGetters = spec.rules.map(
      (ruleRef) => spec.groupBy.map((g) => {
        const alias = spec.aliases[g];
        return fieldGetter(alias?.[ruleRef] ?? g);
      })
    );
    const valueGetter = spec.condition.field ? fieldGetter(spec.condition.field) : void 0;
    return { def, info: def.info, groupGetters, valueGetter, groups: /* @__PURE__ */ new Map(), parents: [] };
  });
  const byRef = /* @__PURE__ */ new Map();
  for (const c of corrs) {
    c.def.correlation.rules.forEach((r, i) => {
      const list = byRef.get(r) ?? [];
      list.push({ corr: c, ref: i });
      byRef.set(r, list);
    });
  }
  for (const c of corrs) {
    const refs = [...byRef.get(c.info.id) ?? [], ...c.info.name ? byRef.get(c.info.name) ?? [] : []];
    c.parents = refs;
  }
  const refsOf = (rule) => {
    const a = byRef.get(rule.id);
    const b = rule.name ? byRef.get(rule.name) : void 0;
    return a && b ? [...a, ...b] : a ?? b ?? [];
  };
  let seq = 0;
  let pushes = 0;
  let latest = 0;
  const groupOf = (c, ref, e) => {
    const getters = c.groupGetters[ref];
    const group = {};
    const parts = [];
    const names = c.def.correlation.groupBy;
    for (let i = 0; i < getters.length; i++) {
      const v = getters[i](e);
      const k = scalarKey(v);
      if (k === void 0) return void 0;
      group[names[i]] = v;
      parts.push(k);
    }
    return { key: JSON.stringify(parts), group };
  };
  const evaluate = (c, g) => {
    const spec = c.def.correlation;
    const es = g.entries;
    switch (spec.type) {
      case "event_count":
        return cmp(spec.condition, es.length) ? es.length : void 0;
      case "value_count": {
        const set = /* @__PURE__ */ new Set();
        for (const x of es) if (x.v !== void 0) set.add(typeof x.v === "string" ? x.v.toLowerCase() : x.v);
        return cmp(spec.condition, set.size) ? set.size : void 0;
      }
      case "value_sum":
      case "value_avg":
      case "value_percentile": {
        const nums = es.map((x) => Number(x.v)).filter((n) => Number.isFinite(n));
        if (nums.length === 0) return void 0;
        let val;
        if (spec.type === "value_sum") val = nums.reduce((a, b) => a + b, 0);
        else if (spec.type === "value_avg") val = nums.reduce((a, b) => a + b, 0) / nums.length;
        else val = percentile(nums.sort((a, b) => a - b), spec.condition.percentile ?? 50);
        return cmp(spec.condition, val) ? val : void 0;
      }
      case "temporal": {
        const seen = /* @__PURE__ */ new Set();
        for (const x of es) seen.add(x.ref);
        return seen.size === spec.rules.length ? seen.size : void 0;
      }
      case "temporal_ordered": {
        let want = 0;
        for (const x of es) if (x.ref === want && ++want === spec.rules.length) return want;
        return void 0;
      }
    }
  };
  const feed = (c, ref, e, t, id, hits) => {
    const gk = groupOf(c, ref, e);
    if (!gk) return;
    const spec = c.def.correlation;
    let g = c.groups.get(gk.key);
    if (!g) c.groups.set(gk.key, g = { group: gk.group, entries: [] });
    const from = t - spec.timespanMs;
    let drop = 0;
    while (drop < g.entries.length && g.entries[drop].t < from) drop++;
    if (drop) g.entries.splice(0, drop);
    const v = c.valueGetter ? scalarKey(c.valueGetter(e)) : void 0;
    g.entries.push({ t, seq: seq++, ref, v: spec.type === "value_count" ? v : v === void 0 ? void 0 : Number(v), id });
    const value = evaluate(c, g);
    if (value === void 0) return;
    const ts = g.entries.map((x) => x.t);
    const ids = [...new Set(g.entries.map((x) => x.id).filter(Boolean))].slice(-MAX_EVENT_IDS);
    const hit = {
      rule: c.info,
      groupKey: gk.key,
      group: gk.group,
      eventIds: ids,
      firstSeen: new Date(Math.min(...ts)).toISOString(),
      lastSeen: new Date(Math.max(...ts)).toISOString(),
      value
    };
    g.entries = [];
    hits.push(hit);
    const upper = { ...e, ...gk.group };
    for (const p of c.parents) feed(p.corr, p.ref, upper, t, id, hits);
  };
  const sweep = () => {
    for (const c of corrs) {
      const from = latest - c.def.correlation.timespanMs;
      for (const [k, g] of c.groups) {
        const last = g.entries[g.entries.length - 1];
        if (!last || last.t < from) c.groups.delete(k);
      }
    }
  };
  const timeOf = (e) => {
    const ts = e["@timestamp"];
    return typeof ts === "string" ? Date.parse(ts) : typeof ts === "number" ? ts : NaN;
  };
  return {
    push(event, matches) {
      const hits = [];
      if (corrs.length === 0 || matches.length === 0) return hits;
      const t = timeOf(event);
      if (Number.isNaN(t)) return hits;
      if (t > latest) latest = t;
      const id = typeof event["event.id"] === "string" ? event["event.id"] : String(event["event.id"] ?? "");
      for (const m of matches) for (const r of refsOf(m.rule)) feed(r.corr, r.ref, event, t, id, hits);
      if (++pushes % 4096 === 0) sweep();
      return hits;
    },
    partitionKeys(event, matches) {
      const keys = /* @__PURE__ */ new Set();
      for (const m of matches) {
        for (const r of refsOf(m.rule)) {
          const gk = groupOf(r.corr, r.ref, event);
          if (gk) keys.add(`${r.corr.info.id}|${gk.key}`);
        }
      }
      return [...keys];
    },
    exportState() {
      sweep();
      return {
        version: 1,
        seq,
        latest,
        groups: corrs.flatMap((c) => [...c.groups].map(([key, g]) => ({ rule: c.info.id, key, group: g.group, entries: g.entries })))
      };
    },
    importState(state) {
      const s = state;
      if (!s || s.version !== 1 || !Array.isArray(s.groups)) throw new Error("correlation state: unknown format");
      const byId = new Map(corrs.map((c) => [c.info.id, c]));
      for (const g of s.groups) {
        const c = byId.get(g.rule);
        if (!c) continue;
        const cur = c.groups.get(g.key);
        if (cur) {
          cur.entries = [...cur.entries, ...g.entries].sort((a, b) => a.t - b.t || a.seq - b.seq);
        } else c.groups.set(g.key, { group: g.group, entries: [...g.entries] });
      }
      seq = Math.max(seq, s.seq ?? 0);
      latest = Math.max(latest, s.latest ?? 0);
    }
  };
}

// src/server/engines/sigma/windows.ts
function flattenWindowsEvent(doc) {
  const root = doc?.Event ?? doc;
  const ev = {};
  const r = root;
  const sys = r.System ?? {};
  for (const [k, v] of Object.entries(sys)) {
    if (v === null || v === void 0) continue;
    if (typeof v === "object" && !Array.isArray(v)) {
      const o = v;
      const attrs = o["#attributes"] ?? {};
      for (const [ak, av] of Object.entries(attrs)) setScalar(ev, `${k}_${ak}`, av);
      if ("#text" in o) setScalar(ev, k, o["#text"]);
    } else setScalar(ev, k, v);
  }
  const data = r.EventData ?? r.UserData;
  if (data && typeof data === "object") flattenData(ev, data);
  const time = ev.TimeCreated_SystemTime;
  if (typeof time === "string") ev["@timestamp"] = new Date(Date.parse(time)).toISOString();
  if (typeof ev.Computer === "string") ev["host.name"] = ev.Computer;
  if (ev.EventID !== void 0) ev["event.code"] = String(ev.EventID);
  ev["khien.logsource.product"] = "windows";
  return ev;
}
function setScalar(ev, k, v) {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") ev[k] = v;
  else if (v === null) ev[k] = null;
}
function flattenData(ev, data) {
  for (const [k, v] of Object.entries(data)) {
    if (k === "#attributes") continue;
    if (k === "Data" && Array.isArray(v)) {
      const texts = v.map((x) => typeof x === "object" && x ? x["#text"] ?? "" : x).map(String);
      ev.Data = texts;
      continue;
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v;
      if ("#text" in o) setScalar(ev, k, o["#text"]);
      else flattenData(ev, o);
    } else if (Array.isArray(v)) ev[k] = v.filter((x) => typeof x === "string" || typeof x === "number");
    else setScalar(ev, k, v);
    const v2 = ev[k];
    if (k.includes(" ") && v2 !== void 0) ev[k.replace(/ /g, "")] = v2;
  }
}
function parseConcatenatedJson(text) {
  const out = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 123 || c === 91) {
      if (depth++ === 0) start = i;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
    }
  }
  if (depth !== 0) throw new Error("truncated JSON");
  return out;
}

// ../../main/src/server/engines/sigma/types.ts
var SigmaFeatureError2 = class extends Error {
  constructor(feature, message) {
    super(message);
    this.feature = feature;
    this.name = "SigmaFeatureError";
  }
  feature;
};

// ../../main/src/server/engines/sigma/parse.ts
import { parseAllDocuments as parseAllDocuments2 } from "yaml";

// ../../main/src/server/engines/sigma/cidr.ts
function parseV42(s) {
  const parts = s.split(".");
  if (parts.length !== 4) return void 0;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return void 0;
    const b = Number(p);
    if (b > 255) return void 0;
    n = n * 256 + b;
  }
  return n;
}
function parseIp2(raw) {
  let s = raw.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.slice(0, pct);
  if (!s.includes(":")) {
    const v4 = parseV42(s);
    return v4 === void 0 ? void 0 : [0, 0, 65535, v4];
  }
  let tail = [];
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseV42(last);
    if (v4 === void 0) return void 0;
    tail = [v4 >>> 16, v4 & 65535];
    s = s.slice(0, lastColon + 1) + "0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return void 0;
  const parse = (h) => h === "" ? [] : h.split(":").map((x) => /^[0-9a-fA-F]{1,4}$/.test(x) ? parseInt(x, 16) : NaN);
  const head = parse(halves[0]);
  let groups;
  if (halves.length === 2) {
    const back = parse(halves[1]);
    const fill = 8 - head.length - back.length;
    if (fill < 0) return void 0;
    groups = [...head, ...new Array(fill).fill(0), ...back];
  } else groups = head;
  if (tail.length) groups = [...groups.slice(0, groups.length - 1), ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return void 0;
  return [
    (groups[0] << 16 | groups[1]) >>> 0,
    (groups[2] << 16 | groups[3]) >>> 0,
    (groups[4] << 16 | groups[5]) >>> 0,
    (groups[6] << 16 | groups[7]) >>> 0
  ];
}
function parseCidr2(s) {
  const [addr, bitsText] = s.split("/");
  const ip = parseIp2(addr ?? "");
  if (!ip) return void 0;
  const isV4 = !(addr ?? "").includes(":");
  let bits = bitsText === void 0 ? isV4 ? 32 : 128 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > (isV4 ? 32 : 128)) return void 0;
  if (isV4) bits += 96;
  const mask = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, bits - i * 32));
    mask[i] = b === 0 ? 0 : b === 32 ? 4294967295 : 4294967295 << 32 - b >>> 0;
  }
  const net = ip.map((w, i) => (w & mask[i]) >>> 0);
  return { net, mask };
}
function inCidr2(ip, c) {
  for (let i = 0; i < 4; i++) if ((ip[i] & c.mask[i]) >>> 0 !== c.net[i]) return false;
  return true;
}

// ../../main/src/server/engines/sigma/fields.ts
var FIELD_ALIASES2 = {
  Image: ["NewProcessName", "process.executable"],
  ParentImage: ["ParentProcessName", "process.parent.executable"],
  CommandLine: ["process.command_line"],
  ParentCommandLine: ["process.parent.command_line"],
  Computer: ["host.name"],
  ComputerName: ["host.name"],
  "c-uri": ["url.original"],
  "cs-uri-stem": ["url.path"],
  "cs-uri-query": ["url.query"],
  "cs-method": ["http.request.method"],
  "sc-status": ["http.response.status_code"],
  "c-useragent": ["user_agent.original"],
  "cs-user-agent": ["user_agent.original"],
  "cs-referer": ["http.request.referrer"],
  "cs-cookie": ["http.request.cookie"],
  "c-ip": ["source.ip"],
  "cs-host": ["url.domain"],
  "c-uri-extension": ["url.extension"],
  "r-dns": ["url.domain"],
  keywords: ["message"]
};
function fieldGetter2(field) {
  const fallbacks = FIELD_ALIASES2[field];
  if (!fallbacks) return (e) => e[field];
  if (fallbacks.length === 1) {
    const f1 = fallbacks[0];
    return (e) => {
      const v = e[field];
      return v === void 0 ? e[f1] : v;
    };
  }
  return (e) => {
    const v = e[field];
    if (v !== void 0) return v;
    for (const f of fallbacks) {
      const w = e[f];
      if (w !== void 0) return w;
    }
    return void 0;
  };
}
var KEYWORD_FIELD2 = "message";

// ../../main/src/server/engines/sigma/wildcard.ts
var STAR2 = /* @__PURE__ */ Symbol("*");
var QMARK2 = /* @__PURE__ */ Symbol("?");
function tokenize2(s) {
  const out = [];
  let acc = "";
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      acc += c === "*" || c === "?" || c === "\\" ? c : `\\${c}`;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else if (c === "*" || c === "?") {
      if (acc) out.push(acc);
      acc = "";
      out.push(c === "*" ? STAR2 : QMARK2);
    } else acc += c;
  }
  if (escaped) acc += "\\";
  if (acc) out.push(acc);
  return out;
}
function hasWildcard2(tokens) {
  return tokens.some((t) => typeof t !== "string");
}
function literalOf2(tokens) {
  return tokens.map((t) => typeof t === "string" ? t : "").join("");
}
function escapeRegex2(s) {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
function tokensToRegexSource2(tokens) {
  return tokens.map((t) => t === STAR2 ? "[\\s\\S]*" : t === QMARK2 ? "[\\s\\S]" : escapeRegex2(t)).join("");
}
function longestLiteral2(tokens) {
  let best = "";
  for (const t of tokens) if (typeof t === "string" && t.length > best.length) best = t;
  return best;
}

// ../../main/src/server/engines/sigma/values.ts
function lower2(ctx, s) {
  let l = ctx.lc.get(s);
  if (l === void 0) {
    l = s.toLowerCase();
    ctx.lc.set(s, l);
  }
  return l;
}
var MIN_LITERAL2 = 4;
var MATCH_MODS2 = /* @__PURE__ */ new Set(["contains", "startswith", "endswith"]);
var TRANSFORM_MODS2 = /* @__PURE__ */ new Set(["wide", "utf16le", "utf16be", "utf16", "base64", "base64offset", "windash", "expand"]);
var NUM_MODS2 = /* @__PURE__ */ new Set(["lt", "lte", "gt", "gte"]);
var TIME_MODS2 = /* @__PURE__ */ new Set(["minute", "hour", "day", "week", "month", "year"]);
var OTHER_MODS2 = /* @__PURE__ */ new Set(["all", "re", "i", "m", "s", "ignorecase", "multiline", "dotall", "cidr", "exists", "fieldref", "cased", "neq"]);
function toBuffer2(v) {
  return Buffer.from(v.s, v.bytes ? "latin1" : "utf8");
}
function utf162(v, be, bom) {
  const le = Buffer.from(v.s, "utf16le");
  let out = le;
  if (be) {
    out = Buffer.from(le);
    out.swap16();
  }
  if (bom) out = Buffer.concat([Buffer.from(be ? [254, 255] : [255, 254]), out]);
  return { s: out.toString("latin1"), bytes: true };
}
function base64offset2(v) {
  const buf = toBuffer2(v);
  const start = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 32), buf]).toString("base64");
    const cut = endCut[(buf.length + i) % 3];
    out.push({ s: enc.slice(start[i], cut ? enc.length - cut : enc.length), bytes: false });
  }
  return out;
}
var DASHES2 = ["-", "/", "\u2013", "\u2014", "\u2015"];
function windash2(v) {
  if (!/(^|[^\w])[-/]\w/.test(v.s)) return [v];
  return DASHES2.map((d) => ({ s: v.s.replace(/(^|[^\w])[-/](?=\w)/g, `$1${d}`), bytes: v.bytes }));
}
function expand2(v, placeholders) {
  const names = [...v.s.matchAll(/%([A-Za-z0-9_]+)%/g)].map((m) => m[1]);
  let out = [v.s];
  for (const name of new Set(names)) {
    const values = placeholders?.[name];
    if (!values || values.length === 0) throw new SigmaFeatureError2("expand", `placeholder %${name}% has no configured values`);
    out = out.flatMap((s) => values.map((x) => s.split(`%${name}%`).join(x)));
  }
  return out.map((s) => ({ s, bytes: v.bytes }));
}
function scalarString2(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return void 0;
}
function anyScalar2(v, fn) {
  if (v === void 0 || v === null) return false;
  if (typeof v === "string") return fn(v);
  if (typeof v === "number" || typeof v === "boolean") return fn(String(v));
  for (const x of v) if (fn(typeof x === "string" ? x : String(x))) return true;
  return false;
}
function anyScalarCtx2(v, t, ctx) {
  if (v === void 0 || v === null) return false;
  if (typeof v === "string") return t(v, ctx);
  if (typeof v === "number" || typeof v === "boolean") return t(String(v), ctx);
  for (const x of v) if (t(typeof x === "string" ? x : String(x), ctx)) return true;
  return false;
}
function multiLiteral2(mode, lits) {
  if (mode === "eq") {
    const set = new Set(lits);
    return (v) => set.has(v);
  }
  const single = /* @__PURE__ */ new Set();
  const pairs = /* @__PURE__ */ new Map();
  let minLen = Infinity;
  for (const l of lits) {
    if (l.length === 0) return () => true;
    minLen = Math.min(minLen, l.length);
    if (l.length === 1) {
      single.add(l.charCodeAt(0));
      continue;
    }
    const key = mode === "endswith" ? l.charCodeAt(l.length - 2) * 65536 + l.charCodeAt(l.length - 1) : l.charCodeAt(0) * 65536 + l.charCodeAt(1);
    const list = pairs.get(key);
    if (list) list.push(l);
    else pairs.set(key, [l]);
  }
  if (mode === "startswith") {
    return (v) => {
      if (v.length < minLen) return false;
      if (single.has(v.charCodeAt(0))) return true;
      const list = pairs.get(v.charCodeAt(0) * 65536 + v.charCodeAt(1));
      if (list) {
        for (const l of list) if (v.startsWith(l)) return true;
      }
      return false;
    };
  }
  if (mode === "endswith") {
    return (v) => {
      const n = v.length;
      if (n < minLen) return false;
      if (single.has(v.charCodeAt(n - 1))) return true;
      const list = pairs.get(v.charCodeAt(n - 2) * 65536 + v.charCodeAt(n - 1));
      if (list) {
        for (const l of list) if (v.endsWith(l)) return true;
      }
      return false;
    };
  }
  const starts = new Uint8Array(65536);
  for (const c of single) starts[c] = 2;
  for (const key of pairs.keys()) starts[Math.floor(key / 65536)] ||= 1;
  return (v) => {
    const n = v.length;
    if (n < minLen) return false;
    for (let i = 0; i < n; i++) {
      const c0 = v.charCodeAt(i);
      const s0 = starts[c0];
      if (s0 === 0) continue;
      if (s0 === 2) return true;
      const list = pairs.get(c0 * 65536 + v.charCodeAt(i + 1));
      if (list) {
        for (const l of list) if (v.startsWith(l, i)) return true;
      }
    }
    return false;
  };
}
function simplify2(tokens, mode) {
  if (mode !== "eq") return { tokens, mode };
  const n = tokens.length;
  const inner = (a, b) => tokens.slice(a, b);
  if (n >= 3 && tokens[0] === STAR2 && tokens[n - 1] === STAR2 && !hasWildcard2(inner(1, n - 1))) return { tokens: inner(1, n - 1), mode: "contains" };
  if (n >= 2 && tokens[n - 1] === STAR2 && !hasWildcard2(inner(0, n - 1))) return { tokens: inner(0, n - 1), mode: "startswith" };
  if (n >= 2 && tokens[0] === STAR2 && !hasWildcard2(inner(1, n))) return { tokens: inner(1, n), mode: "endswith" };
  return { tokens, mode };
}
function stringTest2(pattern, mode, cased) {
  const s = simplify2(tokenize2(pattern), mode);
  const lit = longestLiteral2(s.tokens).toLowerCase();
  if (!hasWildcard2(s.tokens)) {
    const plain = literalOf2(s.tokens).toLowerCase();
    const r = stringTestPlain2(s.tokens, s.mode, cased, lit);
    return cased ? r : { ...r, plain };
  }
  const body = tokensToRegexSource2(cased ? s.tokens : s.tokens.map((t) => typeof t === "string" ? t.toLowerCase() : t));
  const src = s.mode === "eq" ? `^${body}$` : s.mode === "startswith" ? `^${body}` : s.mode === "endswith" ? `${body}$` : body;
  const re = new RegExp(src);
  return { t: cased ? (raw) => re.test(raw) : (raw, ctx) => re.test(lower2(ctx, raw)), lit, mode: s.mode };
}
function stringTestPlain2(tokens, mode, cased, lit) {
  const s = { tokens, mode };
  {
    const L = cased ? literalOf2(s.tokens) : literalOf2(s.tokens).toLowerCase();
    const get = cased ? (raw) => raw : (raw, ctx) => lower2(ctx, raw);
    switch (s.mode) {
      case "eq":
        return { t: (raw, ctx) => raw.length === L.length && get(raw, ctx) === L, lit, mode };
      case "contains":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).includes(L), lit, mode };
      case "startswith":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).startsWith(L), lit, mode };
      case "endswith":
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).endsWith(L), lit, mode };
    }
  }
}
function compileRegex2(pattern, flags) {
  let p = pattern;
  let f = flags;
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline) {
    if (inline[1].includes("x")) throw new SigmaFeatureError2("re", "regular expression flag x (extended) is not supported");
    for (const c of inline[1]) if (!f.includes(c)) f += c;
    p = p.slice(inline[0].length);
  }
  if (/\(\?[<]?[=!]/.test(p) === false && /\(\?P</.test(p)) p = p.replace(/\(\?P</g, "(?<");
  try {
    return new RegExp(p, f);
  } catch (e) {
    throw new SigmaFeatureError2("re", `regular expression not valid in JavaScript: ${e.message}`);
  }
}
function numberOf2(s) {
  return s.trim() === "" ? NaN : Number(s);
}
function timePart2(raw, unit) {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return NaN;
  const d = new Date(t);
  switch (unit) {
    case "minute":
      return d.getUTCMinutes();
    case "hour":
      return d.getUTCHours();
    case "day":
      return d.getUTCDate();
    case "month":
      return d.getUTCMonth() + 1;
    case "year":
      return d.getUTCFullYear();
    default: {
      const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dow = day.getUTCDay() || 7;
      day.setUTCDate(day.getUTCDate() + 4 - dow);
      const y0 = Date.UTC(day.getUTCFullYear(), 0, 1);
      return Math.ceil(((day.getTime() - y0) / 864e5 + 1) / 7);
    }
  }
}
function compileFieldItem2(key, value, opts) {
  const [rawField = "", ...mods] = key.split("|");
  const keyword = rawField === "";
  const field = keyword ? KEYWORD_FIELD2 : rawField;
  const get = fieldGetter2(field);
  for (const m of mods) {
    if (!MATCH_MODS2.has(m) && !TRANSFORM_MODS2.has(m) && !NUM_MODS2.has(m) && !TIME_MODS2.has(m) && !OTHER_MODS2.has(m)) {
      throw new SigmaFeatureError2(`modifier:${m}`, `unknown modifier "${m}" on ${key}`);
    }
  }
  const has = (m) => mods.includes(m);
  const values = Array.isArray(value) ? value : [value];
  const all = has("all");
  const neq = has("neq");
  const cased = has("cased");
  let mode = keyword ? "contains" : "eq";
  for (const m of mods) if (MATCH_MODS2.has(m)) mode = m;
  let test;
  let need = null;
  if (has("exists")) {
    const want = value === true || value === "true" || value === "yes";
    test = (ctx) => {
      const v = get(ctx.e);
      return (v !== void 0 && v !== null) === want;
    };
  } else if (has("fieldref")) {
    const refs = values.map((v) => scalarString2(v)).filter((v) => v !== void 0);
    const tests = refs.map((r) => {
      const other = fieldGetter2(r);
      return (ctx) => {
        const o = other(ctx.e);
        const os = scalarString2(o);
        if (os === void 0) return false;
        const cmp2 = cased ? os : lower2(ctx, os);
        return anyScalar2(get(ctx.e), (s) => {
          const v = cased ? s : lower2(ctx, s);
          return mode === "eq" ? v === cmp2 : mode === "contains" ? v.includes(cmp2) : mode === "startswith" ? v.startsWith(cmp2) : v.endsWith(cmp2);
        });
      };
    });
    test = combine2(tests, all);
  } else if (mods.some((m) => NUM_MODS2.has(m) || TIME_MODS2.has(m))) {
    const op = mods.find((m) => NUM_MODS2.has(m));
    const unit = mods.find((m) => TIME_MODS2.has(m));
    const tests = values.map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new SigmaFeatureError2(`modifier:${op ?? unit}`, `${key}: ${String(v)} is not a number`);
      return (ctx) => anyScalar2(get(ctx.e), (s) => {
        const x = unit ? timePart2(s, unit) : numberOf2(s);
        if (Number.isNaN(x)) return false;
        switch (op) {
          case "lt":
            return x < n;
          case "lte":
            return x <= n;
          case "gt":
            return x > n;
          case "gte":
            return x >= n;
          default:
            return x === n;
        }
      });
    });
    test = combine2(tests, all);
  } else if (has("cidr")) {
    const nets = values.map((v) => {
      const c = parseCidr2(String(v));
      if (!c) throw new SigmaFeatureError2("modifier:cidr", `${key}: "${String(v)}" is not a CIDR network`);
      return c;
    });
    test = (ctx) => anyScalar2(get(ctx.e), (s) => {
      const ip = parseIp2(s);
      if (!ip) return false;
      for (const n of nets) if (inCidr2(ip, n)) return true;
      return false;
    });
  } else if (has("re")) {
    let flags = "";
    if (has("i") || has("ignorecase")) flags += "i";
    if (has("m") || has("multiline")) flags += "m";
    if (has("s") || has("dotall")) flags += "s";
    const tests = values.map((v) => {
      const re = compileRegex2(String(v), flags);
      return (ctx) => anyScalar2(get(ctx.e), (s) => re.test(s));
    });
    test = combine2(tests, all);
  } else {
    const perValue = [];
    const plainLits = [];
    let hasNull = false;
    for (const v of values) {
      if (v === null) {
        hasNull = true;
        continue;
      }
      const s0 = scalarString2(v);
      if (s0 === void 0) throw new SigmaFeatureError2("value", `${key}: unsupported value type ${typeof v}`);
      let vals = [{ s: s0, bytes: false }];
      for (const m of mods) {
        if (m === "wide" || m === "utf16le") vals = vals.map((x) => utf162(x, false, false));
        else if (m === "utf16be") vals = vals.map((x) => utf162(x, true, false));
        else if (m === "utf16") vals = vals.map((x) => utf162(x, false, true));
        else if (m === "base64") vals = vals.map((x) => ({ s: toBuffer2(x).toString("base64"), bytes: false }));
        else if (m === "base64offset") vals = vals.flatMap((x) => base64offset2(x));
        else if (m === "windash") vals = vals.flatMap((x) => windash2(x));
        else if (m === "expand") vals = vals.flatMap((x) => expand2(x, opts.placeholders));
      }
      const encoded = mods.some((m) => m === "base64" || m === "base64offset");
      const variants = vals.map((x) => {
        const pattern = encoded || x.bytes ? x.s.replace(/[\\*?]/g, "\\$&") : x.s;
        return stringTest2(pattern, mode, cased || encoded);
      });
      if (!all && !cased && !encoded && variants.every((x) => x.plain !== void 0)) {
        for (const x of variants) plainLits.push({ lit: x.plain, mode: x.mode });
        continue;
      }
      const ts = variants.map((x) => x.t);
      perValue.push({
        t: ts.length === 1 ? ts[0] : (raw, ctx) => ts.some((t) => t(raw, ctx)),
        lits: variants.map((x) => x.lit)
      });
    }
    for (const m of ["eq", "contains", "startswith", "endswith"]) {
      const lits = plainLits.filter((p) => p.mode === m).map((p) => p.lit);
      if (lits.length === 0) continue;
      let t;
      if (lits.length === 1) {
        const L = lits[0];
        t = m === "eq" ? (raw, ctx) => raw.length === L.length && lower2(ctx, raw) === L : m === "contains" ? (raw, ctx) => raw.length >= L.length && lower2(ctx, raw).includes(L) : m === "startswith" ? (raw, ctx) => raw.length >= L.length && lower2(ctx, raw).startsWith(L) : (raw, ctx) => raw.length >= L.length && lower2(ctx, raw).endsWith(L);
      } else {
        const multi = multiLiteral2(m, lits);
        t = (raw, ctx) => multi(lower2(ctx, raw));
      }
      perValue.push({ t, lits });
    }
    const strTests = perValue.map(({ t }) => (ctx) => anyScalarCtx2(get(ctx.e), t, ctx));
    if (hasNull) {
      if (all) throw new SigmaFeatureError2("value", `${key}: null inside an |all list`);
      strTests.push((ctx) => {
        const v = get(ctx.e);
        return v === void 0 || v === null;
      });
    }
    test = strTests.length === 0 ? () => false : combine2(strTests, all);
    if (!hasNull && !neq && perValue.length > 0) {
      if (all) {
        let best = null;
        for (const pv of perValue) {
          if (pv.lits.every((l) => l.length >= MIN_LITERAL2)) {
            const min = Math.min(...pv.lits.map((l) => l.length));
            if (!best || min > Math.min(...best.map((l) => l.length))) best = pv.lits;
          }
        }
        need = best ? best.map((lit) => ({ field, lit })) : null;
      } else {
        const lits = perValue.flatMap((pv) => pv.lits);
        need = lits.every((l) => l.length >= MIN_LITERAL2) ? lits.map((lit) => ({ field, lit })) : null;
      }
    }
  }
  if (neq) {
    const inner = test;
    test = (ctx) => {
      const v = get(ctx.e);
      return v !== void 0 && v !== null && !inner(ctx);
    };
    need = null;
  }
  return { test, need, fields: [field] };
}
function combine2(tests, all) {
  if (tests.length === 1) return tests[0];
  if (all) return (ctx) => tests.every((t) => t(ctx));
  return (ctx) => tests.some((t) => t(ctx));
}

// ../../main/src/server/engines/sigma/condition.ts
function isMap3(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function needAnd2(needs) {
  let best = null;
  let bestScore = -1;
  for (const n of needs) {
    if (!n || n.length === 0) continue;
    const minLen = Math.min(...n.map((a) => a.lit.length));
    const score = minLen * 4 - n.length;
    if (score > bestScore) {
      best = n;
      bestScore = score;
    }
  }
  return best;
}
function needOr2(needs) {
  const out = [];
  for (const n of needs) {
    if (!n) return null;
    out.push(...n);
  }
  return out.length ? out : null;
}
function and2(tests) {
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (const t of tests) if (!t(ctx)) return false;
    return true;
  };
}
function or2(tests) {
  if (tests.length === 1) return tests[0];
  return (ctx) => {
    for (const t of tests) if (t(ctx)) return true;
    return false;
  };
}
function compileSearch2(name, value, opts) {
  if (isMap3(value)) {
    const items = Object.entries(value).map(([k, v]) => compileFieldItem2(k, v, opts));
    if (items.length === 0) throw new SigmaFeatureError2("detection", `search identifier ${name} is an empty map`);
    return { test: and2(items.map((i) => i.test)), need: needAnd2(items.map((i) => i.need)), fields: items.flatMap((i) => i.fields) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaFeatureError2("detection", `search identifier ${name} is an empty list`);
    const maps = value.filter(isMap3);
    const scalars = value.filter((v) => !isMap3(v));
    const parts = maps.map((m, i) => compileSearch2(`${name}[${i}]`, m, opts));
    if (scalars.length) {
      if (scalars.some((s) => s === null || typeof s === "object")) throw new SigmaFeatureError2("detection", `search identifier ${name}: unsupported keyword value`);
      parts.push(compileFieldItem2("|contains", scalars, opts));
    }
    return { test: or2(parts.map((p) => p.test)), need: needOr2(parts.map((p) => p.need)), fields: parts.flatMap((p) => p.fields) };
  }
  if (typeof value === "string" || typeof value === "number") return compileFieldItem2("|contains", [value], opts);
  throw new SigmaFeatureError2("detection", `search identifier ${name} has an unsupported value`);
}
function lex2(cond) {
  const out = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  const words = [];
  let m;
  let end = 0;
  while (m = re.exec(cond)) {
    words.push(m[1]);
    end = re.lastIndex;
  }
  if (cond.slice(end).trim()) throw new SigmaFeatureError2("condition", `cannot read condition "${cond}"`);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const lw = w.toLowerCase();
    if (w === "(") out.push({ t: "lp" });
    else if (w === ")") out.push({ t: "rp" });
    else if (lw === "and") out.push({ t: "and" });
    else if (lw === "or") out.push({ t: "or" });
    else if (lw === "not") out.push({ t: "not" });
    else if (w === "|") throw new SigmaFeatureError2("aggregation", 'Sigma v1 aggregation ("| count() \u2026") is obsolete; use a correlation rule');
    else if (lw === "near") throw new SigmaFeatureError2("near", 'the "near" operator is obsolete; use a temporal correlation rule');
    else if ((lw === "all" || lw === "any" || /^\d+$/.test(lw)) && words[i + 1]?.toLowerCase() === "of") {
      out.push({ t: "of", q: lw === "all" ? "all" : lw === "any" ? 1 : Number(lw) });
      i++;
    } else out.push({ t: "id", v: w });
  }
  return out;
}
function patternNames2(pattern, table) {
  if (pattern === "them") return table.names().filter((n) => !n.startsWith("_"));
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return table.names().filter((n) => re.test(n));
}
function compileCondition2(cond, table) {
  const toks = lex2(cond);
  let pos = 0;
  const peek = () => toks[pos];
  const fields = /* @__PURE__ */ new Set();
  function orExpr() {
    const parts = [andExpr()];
    while (peek()?.t === "or") {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0] : { test: or2(parts.map((p) => p.test)), need: needOr2(parts.map((p) => p.need)), fields: [] };
  }
  function andExpr() {
    const parts = [notExpr()];
    while (peek()?.t === "and") {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0] : { test: and2(parts.map((p) => p.test)), need: needAnd2(parts.map((p) => p.need)), fields: [] };
  }
  function notExpr() {
    if (peek()?.t === "not") {
      pos++;
      const inner = notExpr();
      const t = inner.test;
      return { test: (ctx) => !t(ctx), need: null, fields: [] };
    }
    return primary();
  }
  function primary() {
    const tok = toks[pos++];
    if (!tok) throw new SigmaFeatureError2("condition", `condition "${cond}" ends early`);
    if (tok.t === "lp") {
      const inner = orExpr();
      if (toks[pos++]?.t !== "rp") throw new SigmaFeatureError2("condition", `condition "${cond}": missing ")"`);
      return inner;
    }
    if (tok.t === "of") {
      const target = toks[pos++];
      if (target?.t !== "id") throw new SigmaFeatureError2("condition", `condition "${cond}": "of" needs a name pattern`);
      const names = patternNames2(target.v, table);
      if (names.length === 0) throw new SigmaFeatureError2("condition", `condition "${cond}": no search identifier matches ${target.v}`);
      const items = names.map((n) => table.get(n));
      items.forEach((i) => i.fields.forEach((f) => fields.add(f)));
      if (tok.q === "all") return { test: and2(items.map((i) => i.test)), need: needAnd2(items.map((i) => i.need)), fields: [] };
      if (tok.q === 1) return { test: or2(items.map((i) => i.test)), need: needOr2(items.map((i) => i.need)), fields: [] };
      const q = tok.q;
      const tests = items.map((i) => i.test);
      return {
        test: (ctx) => {
          let n = 0;
          for (const t of tests) if (t(ctx) && ++n >= q) return true;
          return false;
        },
        need: null,
        fields: []
      };
    }
    if (tok.t === "id") {
      const item = table.get(tok.v);
      if (!item) throw new SigmaFeatureError2("condition", `condition "${cond}" names unknown search identifier ${tok.v}`);
      item.fields.forEach((f) => fields.add(f));
      return item;
    }
    throw new SigmaFeatureError2("condition", `condition "${cond}": unexpected ${tok.t}`);
  }
  const out = orExpr();
  if (pos < toks.length) throw new SigmaFeatureError2("condition", `condition "${cond}": unexpected text after position ${pos}`);
  return { test: out.test, need: out.need, fields: [...fields] };
}
function compileDetection2(detection, opts) {
  const compiled = /* @__PURE__ */ new Map();
  for (const [name, value] of Object.entries(detection)) {
    if (name === "condition" || name === "timeframe") continue;
    compiled.set(name, compileSearch2(name, value, opts));
  }
  if (detection.timeframe !== void 0) throw new SigmaFeatureError2("timeframe", "detection timeframe (Sigma v1 aggregation) is obsolete; use a correlation rule");
  const table = { get: (n) => compiled.get(n), names: () => [...compiled.keys()] };
  const conds = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  const items = conds.map((c) => {
    if (typeof c !== "string") throw new SigmaFeatureError2("condition", "condition must be a string");
    return compileCondition2(c, table);
  });
  if (items.length === 1) return items[0];
  return { test: or2(items.map((i) => i.test)), need: needOr2(items.map((i) => i.need)), fields: [...new Set(items.flatMap((i) => i.fields))] };
}

// ../../main/src/server/engines/sigma/logsource.ts
var SYSMON2 = "microsoft-windows-sysmon/operational";
var SYSMON_CATEGORIES2 = {
  1: ["process_creation"],
  2: ["file_change"],
  3: ["network_connection"],
  4: ["sysmon_status"],
  5: ["process_termination"],
  6: ["driver_load"],
  7: ["image_load"],
  8: ["create_remote_thread"],
  9: ["raw_access_thread", "raw_access_read"],
  10: ["process_access"],
  11: ["file_event"],
  12: ["registry_event"],
  13: ["registry_set", "registry_event"],
  14: ["registry_rename", "registry_event"],
  15: ["create_stream_hash"],
  16: ["sysmon_status"],
  17: ["pipe_created"],
  18: ["pipe_created"],
  19: ["wmi_event"],
  20: ["wmi_event"],
  21: ["wmi_event"],
  22: ["dns_query"],
  23: ["file_delete"],
  24: ["clipboard_capture"],
  25: ["process_tampering"],
  26: ["file_delete", "file_delete_detected"],
  27: ["file_block", "file_block_executable"],
  28: ["file_block", "file_block_shredding"],
  29: ["file_executable_detected"],
  255: ["sysmon_error"]
};
var CHANNEL_SERVICES2 = {
  security: ["security"],
  system: ["system"],
  application: ["application"],
  [SYSMON2]: ["sysmon"],
  "microsoft-windows-powershell/operational": ["powershell"],
  "powershellcore/operational": ["powershell"],
  "windows powershell": ["powershell-classic"],
  "microsoft-windows-windows defender/operational": ["windefend"],
  "microsoft-windows-windows firewall with advanced security/firewall": ["firewall-as"],
  "microsoft-windows-dns-server/analytical": ["dns-server-analytic"],
  "dns server": ["dns-server"],
  "microsoft-windows-driverframeworks-usermode/operational": ["driver-framework"],
  "microsoft-windows-wmi-activity/operational": ["wmi"],
  "microsoft-windows-terminalservices-localsessionmanager/operational": ["terminalservices-localsessionmanager"],
  "microsoft-windows-terminalservices-remoteconnectionmanager/operational": ["terminalservices-remoteconnectionmanager"],
  "msexchange management": ["msexchange-management"],
  "openssh/operational": ["openssh"],
  "microsoft-windows-bitlocker/bitlocker management": ["bitlocker"],
  "microsoft-windows-dhcp-server/operational": ["dhcp"],
  "microsoft-windows-ldap-client/debug": ["ldap_debug", "ldap"],
  "microsoft-windows-applocker/msi and script": ["applocker"],
  "microsoft-windows-applocker/exe and dll": ["applocker"],
  "microsoft-windows-applocker/packaged app-deployment": ["applocker"],
  "microsoft-windows-applocker/packaged app-execution": ["applocker"],
  "microsoft-windows-security-mitigations/kernel mode": ["security-mitigations"],
  "microsoft-windows-security-mitigations/user mode": ["security-mitigations"],
  "microsoft-windows-codeintegrity/operational": ["codeintegrity-operational"],
  "microsoft-windows-printservice/admin": ["printservice-admin"],
  "microsoft-windows-printservice/operational": ["printservice-operational"],
  "microsoft-windows-smbclient/security": ["smbclient-security"],
  "microsoft-windows-smbclient/connectivity": ["smbclient-connectivity"],
  "microsoft-windows-appxdeploymentserver/operational": ["appxdeployment-server"],
  "microsoft-windows-appxpackaging/operational": ["appxpackaging-om"],
  "microsoft-windows-appmodel-runtime/admin": ["appmodel-runtime"],
  "microsoft-windows-capi2/operational": ["capi2"],
  "microsoft-windows-certificateservicesclient-lifecycle-system/operational": ["certificateservicesclient-lifecycle-system"],
  "microsoft-windows-lsa/operational": ["lsa-server"],
  "microsoft-windows-kernel-shimengine/operational": ["shimcache"],
  "microsoft-windows-ntlm/operational": ["ntlm"],
  "microsoft-windows-bits-client/operational": ["bits-client"],
  "microsoft-windows-taskscheduler/operational": ["taskscheduler"],
  "microsoft-windows-shell-core/operational": ["shell-core"],
  "microsoft-windows-diagnosis-scripted/operational": ["diagnosis-scripted"],
  "microsoft-windows-vhdmp/operational": ["vhdmp"],
  "microsoft-windows-hyper-v-worker-admin": ["hyper-v-worker"],
  "microsoft-windows-sense/operational": ["sense"]
};
function str3(v) {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : void 0;
}
function channelServices2(channel) {
  const c = channel.toLowerCase();
  const known = CHANNEL_SERVICES2[c];
  if (known) return known;
  const base = c.replace(/^microsoft-windows-/, "");
  const [head = base] = base.split("/");
  return [.../* @__PURE__ */ new Set([head, base.replace(/[/ ]/g, "-")])];
}
var AUTH_ACTIONS2 = /* @__PURE__ */ new Set(["ssh_login", "logon", "login", "pam_auth", "su", "authentication"]);
function logsourceSignature2(e) {
  const eid = e.EventID;
  let sig = `${str3(e["khien.logsource.product"]) ?? ""}${str3(e["khien.logsource.category"]) ?? ""}${str3(e["khien.logsource.service"]) ?? ""}`;
  const ch = e.Channel;
  if (typeof ch === "string") sig += `${ch}${String(eid)}`;
  if (eid === 12 || eid === "12") sig += `${String(e.EventType)}`;
  const action = e["event.action"];
  if (typeof action === "string" && AUTH_ACTIONS2.has(action)) sig += "auth";
  const ecsCat = e["event.category"];
  if (ecsCat !== void 0) sig += `${String(ecsCat)}`;
  return sig;
}
function eventLogsource2(e) {
  let product = str3(e["khien.logsource.product"])?.toLowerCase();
  const categories = /* @__PURE__ */ new Set();
  const services = /* @__PURE__ */ new Set();
  const c = str3(e["khien.logsource.category"]);
  if (c) for (const x of c.toLowerCase().split(",")) categories.add(x.trim());
  const s = str3(e["khien.logsource.service"]);
  if (s) for (const x of s.toLowerCase().split(",")) services.add(x.trim());
  const action = e["event.action"];
  if (typeof action === "string" && AUTH_ACTIONS2.has(action)) categories.add("authentication");
  const ecsCat = e["event.category"];
  for (const x of Array.isArray(ecsCat) ? ecsCat : typeof ecsCat === "string" ? [ecsCat] : []) categories.add(String(x).toLowerCase());
  const channel = str3(e.Channel);
  if (channel !== void 0) {
    product ??= "windows";
    for (const x of channelServices2(channel)) services.add(x);
    const eid = Number(e.EventID);
    const ch = channel.toLowerCase();
    if (ch === SYSMON2) {
      for (const x of SYSMON_CATEGORIES2[eid] ?? []) categories.add(x);
      if (eid === 12) {
        const t = String(e.EventType ?? "").toLowerCase();
        if (t === "createkey" || t === "createvalue") categories.add("registry_add");
        if (t === "deletekey" || t === "deletevalue") categories.add("registry_delete");
      }
    } else if (ch === "security") {
      if (eid === 4688) categories.add("process_creation");
      if (eid === 4689) categories.add("process_termination");
      if (eid === 4663) categories.add("file_access");
    } else if (ch === "microsoft-windows-powershell/operational" || ch === "powershellcore/operational") {
      if (eid === 4104) categories.add("ps_script");
      if (eid === 4103) categories.add("ps_module");
    } else if (ch === "windows powershell") {
      if (eid === 400) categories.add("ps_classic_start");
      if (eid === 600) categories.add("ps_classic_provider_start");
      if (eid === 800) categories.add("ps_classic_script");
    } else if (ch === "microsoft-windows-kernel-file/analytic") {
      if (eid === 12) categories.add("file_access");
      if (eid === 19 || eid === 27) categories.add("file_rename");
    }
  }
  return { product, categories: [...categories], services: [...services] };
}
function ruleLogsourceKey2(ls) {
  return `${ls.product ?? "*"}|${ls.category ?? "*"}|${ls.service ?? "*"}`;
}
function eventLogsourceKeys2(ls) {
  const ps = ls.product ? [ls.product, "*"] : ["*"];
  const cs = [...ls.categories, "*"];
  const ss = [...ls.services, "*"];
  const out = [];
  for (const p of ps) for (const c of cs) for (const s of ss) out.push(`${p}|${c}|${s}`);
  return out;
}

// ../../main/src/server/engines/sigma/detector.ts
var GRAM_MASK2 = 268435455;
function gramAt2(s, i) {
  return ((s.charCodeAt(i) & 127) << 21 | (s.charCodeAt(i + 1) & 127) << 14 | (s.charCodeAt(i + 2) & 127) << 7 | s.charCodeAt(i + 3) & 127) & GRAM_MASK2;
}
function filterTests2(rule, filters, placeholders) {
  if (!filters?.length) return [];
  return filters.map((f, i) => {
    let detection = f.detection;
    if (!detection && f.fields) detection = { filter: f.fields, condition: "filter" };
    if (!detection) throw new SigmaFeatureError2("filter", `filter ${f.id ?? i} of rule ${rule.id} is empty`);
    return compileDetection2(detection, { placeholders }).test;
  });
}
function compileDetector2(parsed, opts = {}) {
  const issues = [...parsed.issues];
  const rules = [];
  for (const d of parsed.detections) {
    if (opts.enabled && !opts.enabled(d.info)) continue;
    try {
      const c = compileDetection2(d.detection, { placeholders: opts.placeholders });
      const fields = [...new Set(c.fields)];
      rules.push({
        idx: rules.length,
        info: d.info,
        key: ruleLogsourceKey2(d.info.logsource),
        test: c.test,
        need: c.need && c.need.every((a) => a.lit.length >= MIN_LITERAL2) ? c.need : null,
        fields,
        getters: fields.map((f) => [f, fieldGetter2(f)]),
        filters: filterTests2(d.info, opts.filters?.[d.info.id], opts.placeholders)
      });
    } catch (e) {
      if (!(e instanceof SigmaFeatureError2)) throw e;
      issues.push({ path: d.info.path ?? "", ruleId: d.info.id, feature: e.feature, message: e.message });
    }
  }
  const freq = /* @__PURE__ */ new Map();
  for (const r of rules) {
    for (const a of r.need ?? []) {
      const seen = /* @__PURE__ */ new Set();
      for (let i = 0; i + 4 <= a.lit.length; i++) seen.add(gramAt2(a.lit, i));
      for (const g of seen) freq.set(g, (freq.get(g) ?? 0) + 1);
    }
  }
  const rarest = (lit) => {
    let best = gramAt2(lit, 0);
    let bf = Infinity;
    for (let i = 0; i + 4 <= lit.length; i++) {
      const g = gramAt2(lit, i);
      const f = freq.get(g) ?? 0;
      if (f < bf) {
        bf = f;
        best = g;
      }
    }
    return best;
  };
  const atomGrams = /* @__PURE__ */ new Map();
  for (const r of rules) if (r.need) atomGrams.set(r, r.need.map((a) => ({ field: a.field, gram: rarest(a.lit) })));
  const byKey = /* @__PURE__ */ new Map();
  for (const r of rules) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const buckets = /* @__PURE__ */ new Map();
  const bucketFor = (e) => {
    const sig = logsourceSignature2(e);
    let b = buckets.get(sig);
    if (b) return b;
    const keys = eventLogsourceKeys2(eventLogsource2(e));
    const always = [];
    const idx = /* @__PURE__ */ new Map();
    for (const k of keys) {
      for (const r of byKey.get(k) ?? []) {
        const ag = atomGrams.get(r);
        if (!ag) {
          always.push(r);
          continue;
        }
        for (const { field, gram } of ag) {
          let fi = idx.get(field);
          if (!fi) idx.set(field, fi = { field, get: fieldGetter2(field), grams: /* @__PURE__ */ new Map() });
          const list = fi.grams.get(gram);
          if (!list) fi.grams.set(gram, [r.idx]);
          else if (list[list.length - 1] !== r.idx) list.push(r.idx);
        }
      }
    }
    b = { always, indexes: [...idx.values()] };
    if (buckets.size > 1e4) buckets.clear();
    buckets.set(sig, b);
    return b;
  };
  const stamp = new Int32Array(rules.length);
  let epoch = 0;
  const candidates = [];
  const ctx = { e: {}, lc: /* @__PURE__ */ new Map() };
  const scan = (fi, text) => {
    const s = ctx.lc.get(text) ?? text.toLowerCase();
    ctx.lc.set(text, s);
    const n = s.length;
    if (n < 4) return;
    let g = gramAt2(s, 0);
    for (let i = 0; ; ) {
      const hit = fi.grams.get(g);
      if (hit !== void 0) {
        for (const ri of hit) {
          if (stamp[ri] !== epoch) {
            stamp[ri] = epoch;
            candidates.push(rules[ri]);
          }
        }
      }
      if (++i + 4 > n) break;
      g = (g << 7 | s.charCodeAt(i + 3) & 127) & GRAM_MASK2;
    }
  };
  const matched = (r, e) => {
    const out = {};
    for (const [f, get] of r.getters) {
      const v = get(e);
      if (v !== void 0) out[f] = v;
    }
    return out;
  };
  const evaluate = (r, out) => {
    if (!r.test(ctx)) return;
    for (const f of r.filters) if (f(ctx)) return;
    out.push({ rule: r.info, matched: matched(r, ctx.e) });
  };
  return {
    rules: rules.map((r) => r.info),
    issues,
    match(event) {
      const out = [];
      const b = bucketFor(event);
      ctx.e = event;
      ctx.lc.clear();
      epoch = epoch + 1 | 0;
      if (epoch === 0) {
        stamp.fill(0);
        epoch = 1;
      }
      candidates.length = 0;
      for (const fi of b.indexes) {
        const v = fi.get(event);
        if (v === void 0 || v === null) continue;
        if (typeof v === "string") scan(fi, v);
        else if (typeof v === "number" || typeof v === "boolean") scan(fi, String(v));
        else for (const x of v) scan(fi, String(x));
      }
      for (const r of b.always) evaluate(r, out);
      for (const r of candidates) evaluate(r, out);
      ctx.e = {};
      return out;
    }
  };
}

// ../../../tmp/perf/sig.ts
var corpus = resolve(process.env.KHIEN_CORPUS_DIR ?? "../shared/data");
var sigmaDir = join(corpus, "sigma");
function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".yml")) out.push(p);
  }
  return out;
}
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = a + 1831565813 >>> 0;
    let t = a;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
var HOSTS = ["PC-STTTT-012.gialai.gov.vn", "PC-SYT-104.gialai.gov.vn", "SRV-IGATE-01", "SRV-MAIL-02", "PC-UBND-AYUNPA-07", "DC01.gialai.local"];
var USERS = ["nguyenvana", "tranthib", "lequangc", "phamthid", "hoangvane", "SYSTEM", "LOCAL SERVICE"];
var PROCS = [
  ["C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", "C:\\Windows\\System32\\services.exe"],
  ["C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --field-trial-handle=1234 --lang=vi', "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"],
  ["C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", "C:\\Windows\\System32\\userinit.exe"],
  ["C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "D:\\VanBan\\QD-123-UBND.docx"', "C:\\Windows\\explorer.exe"],
  ["C:\\Windows\\System32\\conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", "C:\\Windows\\System32\\cmd.exe"],
  ["C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\system32\\cmd.exe /c ipconfig /all", "C:\\Windows\\explorer.exe"],
  ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -NoProfile -Command Get-Service", "C:\\Windows\\explorer.exe"],
  ["C:\\Program Files (x86)\\Zalo\\Zalo.exe", '"C:\\Program Files (x86)\\Zalo\\Zalo.exe"', "C:\\Windows\\explorer.exe"],
  ["C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe Install $(Arg0)", "C:\\Windows\\System32\\svchost.exe"],
  ["C:\\Program Files\\VNPT-CA\\VnptCaPlugin.exe", '"C:\\Program Files\\VNPT-CA\\VnptCaPlugin.exe" --background', "C:\\Windows\\explorer.exe"]
];
function* windowsEvents(r, t0) {
  let n = 0;
  for (; ; ) {
    n++;
    const host = HOSTS[Math.floor(r() * HOSTS.length)];
    const user = USERS[Math.floor(r() * USERS.length)];
    const ts = new Date(t0 + n * 7).toISOString();
    const base = { "@timestamp": ts, "event.id": `w${n}`, Computer: host, "host.name": host, "khien.logsource.product": "windows" };
    const k = r();
    const [image, cmd, parent] = PROCS[Math.floor(r() * PROCS.length)];
    if (k < 0.45) {
      yield { ...base, Channel: "Microsoft-Windows-Sysmon/Operational", EventID: 1, Provider_Name: "Microsoft-Windows-Sysmon", Image: image, CommandLine: cmd, ParentImage: parent, ParentCommandLine: parent, OriginalFileName: image.split("\\").pop(), User: `GIALAI\\${user}`, IntegrityLevel: "Medium", CurrentDirectory: "C:\\Users\\Public\\", Hashes: "SHA256=9F2B1D4A5C", Company: "Microsoft Corporation", Product: "Microsoft\xAE Windows\xAE Operating System", Description: "Windows host process" };
    } else if (k < 0.55) {
      yield { ...base, Channel: "Microsoft-Windows-Sysmon/Operational", EventID: 3, Image: image, User: `GIALAI\\${user}`, Protocol: "tcp", Initiated: "true", SourceIp: "10.20.1.15", SourcePort: 5e4 + n % 1e4, DestinationIp: `103.${n % 255}.12.${n % 200}`, DestinationPort: 443, DestinationHostname: "dichvucong.gov.vn" };
    } else if (k < 0.65) {
      yield { ...base, Channel: "Microsoft-Windows-Sysmon/Operational", EventID: 11, Image: image, TargetFilename: `C:\\Users\\${user}\\AppData\\Local\\Temp\\tmp${n % 9999}.tmp`, User: `GIALAI\\${user}` };
    } else if (k < 0.72) {
      yield { ...base, Channel: "Microsoft-Windows-Sysmon/Operational", EventID: 13, EventType: "SetValue", Image: image, TargetObject: `HKU\\S-1-5-21-1000\\Software\\Microsoft\\Office\\16.0\\Word\\MRU\\Item ${n % 50}`, Details: "DWORD (0x00000001)" };
    } else if (k < 0.78) {
      yield { ...base, Channel: "Microsoft-Windows-Sysmon/Operational", EventID: 7, Image: image, ImageLoaded: "C:\\Windows\\System32\\kernel32.dll", Signed: "true", Signature: "Microsoft Windows", SignatureStatus: "Valid", OriginalFileName: "kernel32.dll" };
    } else if (k < 0.9) {
      const fail = r() < 0.2;
      yield { ...base, Channel: "Security", EventID: fail ? 4625 : 4624, Provider_Name: "Microsoft-Windows-Security-Auditing", TargetUserName: user, TargetDomainName: "GIALAI", LogonType: r() < 0.5 ? 3 : 2, IpAddress: "10.20.1.15", WorkstationName: host, AuthenticationPackageName: "Kerberos", "event.action": "logon", "event.outcome": fail ? "failure" : "success", "user.name": user, "source.ip": "10.20.1.15" };
    } else {
      yield { ...base, Channel: "Security", EventID: 4688, NewProcessName: image, CommandLine: cmd, ParentProcessName: parent, SubjectUserName: user, TokenElevationType: "%%1936" };
    }
  }
}
var MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
function sshdEvents() {
  const file = join(corpus, "logs/loghub/OpenSSH/OpenSSH_2k.log");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split(/\r?\n/).flatMap((line, n) => {
    const m = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) sshd\[\d+\]: (.*)$/.exec(line);
    if (!m) return [];
    const e = { "@timestamp": new Date(Date.UTC(2025, MONTHS[m[1]], Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))).toISOString(), "event.id": `s${n}`, message: line, "host.name": m[6], "process.name": "sshd", "khien.logsource.product": "linux", "khien.logsource.service": "sshd" };
    const fail = /Failed (?:password|publickey) for (invalid user )?(\S+) from (\S+) port/.exec(m[7]);
    const ok = /^Accepted (?:password|publickey) for (\S+) from (\S+) port/.exec(m[7]);
    if (fail) Object.assign(e, { "event.action": "ssh_login", "event.outcome": "failure", "user.name": fail[2], "source.ip": fail[3] });
    if (ok) Object.assign(e, { "event.action": "ssh_login", "event.outcome": "success", "user.name": ok[1], "source.ip": ok[2] });
    return [e];
  });
}
var PATHS = ["/", "/index.php", "/tin-tuc/chi-tiet?id=1234", "/dich-vu-cong/nop-ho-so", "/static/js/app.3f2a.js", "/static/css/main.css", "/wp-login.php", "/.env", "/api/v1/thu-tuc?ma=1.00123", "/images/logo.png"];
var UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Zalo", "Googlebot/2.1 (+http://www.google.com/bot.html)"];
function* webEvents(r, t0) {
  let n = 0;
  for (; ; ) {
    n++;
    const path = PATHS[Math.floor(r() * PATHS.length)];
    const status = path === "/.env" || path === "/wp-login.php" ? 404 : r() < 0.05 ? 404 : 200;
    const ip = `14.${n % 200}.${n * 7 % 250}.${n * 13 % 250}`;
    yield {
      "@timestamp": new Date(t0 + n * 11).toISOString(),
      "event.id": `a${n}`,
      "host.name": "congdichvucong.gialai.gov.vn",
      message: `${ip} - - [25/Nov/2026:10:00:00 +0700] "GET ${path} HTTP/1.1" ${status} 5123 "-" "${UAS[n % UAS.length]}"`,
      "source.ip": ip,
      "http.request.method": "GET",
      "url.original": path,
      "url.query": path.includes("?") ? path.split("?")[1] : "",
      "http.response.status_code": status,
      "user_agent.original": UAS[n % UAS.length],
      "khien.logsource.product": "apache",
      "khien.logsource.category": "webserver"
    };
  }
}
function regressionEvents() {
  const out = [];
  for (const p of walk(join(sigmaDir, "regression_data")).filter((x) => x.endsWith("info.yml"))) {
    for (const j of readdirSync(join(p, "..")).filter((f) => f.endsWith(".json"))) {
      for (const d of parseConcatenatedJson(readFileSync(join(p, "..", j), "utf8"))) out.push(flattenWindowsEvent(d));
    }
  }
  return out;
}
function inScope(ls) {
  return ls.product === "windows" || ls.product === "linux" || ls.category === "webserver" || ls.category === "proxy" || ls.product === "apache" || ls.product === "nginx";
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
async function run() {
  if (!existsSync(join(sigmaDir, "rules"))) throw new Error(`SigmaHQ corpus missing at ${sigmaDir} (KHIEN_CORPUS_DIR)`);
  const total = Number(process.argv[3] ?? 2e5);
  const files = ["rules", "rules-emerging-threats", "rules-threat-hunting"].flatMap((d) => walk(join(sigmaDir, d))).map((p2) => ({ path: p2, text: readFileSync(p2, "utf8") }));
  const khien = walk("/work/wt/perf/data/sigma/khien").map((p2) => ({ path: p2, text: readFileSync(p2, "utf8") }));
  let t = performance.now();
  const all = parseRules([...files, ...khien]);
  const parsed = { ...all, detections: all.detections.filter((d) => inScope(d.info.logsource) || d.info.path.includes("/khien/")) };
  const detector = compileDetector(parsed);
  const loadMs = performance.now() - t;
  console.log(`rules: ${parsed.detections.length} detection + ${parsed.correlations.length} correlation loaded (Windows, Linux, web + Khi\xEAn), ${detector.rules.length} compiled, ${detector.issues.length} unsupported; parse+compile ${loadMs.toFixed(0)} ms`);
  const r = rng(42);
  const t0 = Date.UTC(2026, 10, 25, 1, 0, 0);
  const win = windowsEvents(r, t0);
  const web = webEvents(r, t0);
  const ssh = sshdEvents();
  const bad = regressionEvents();
  const lines = [];
  const mix = { windows: 0, sshd: 0, web: 0, regression: 0 };
  for (let i = 0; i < total; i++) {
    const k = r();
    let e;
    if (k < 5e-3 && bad.length) e = bad[i % bad.length], mix.regression++;
    else if (k < 0.6) e = win.next().value, mix.windows++;
    else if (k < 0.8 && ssh.length) e = ssh[i % ssh.length], mix.sshd++;
    else e = web.next().value, mix.web++;
    lines.push(JSON.stringify(e));
  }
  const bytes = lines.reduce((a, l) => a + l.length, 0);
  console.log(`events: ${total} (${(bytes / 2 ** 20).toFixed(1)} MiB NDJSON): ${mix.windows} Windows (Sysmon/Security), ${mix.sshd} sshd (loghub), ${mix.web} Apache access, ${mix.regression} SigmaHQ regression samples`);
  for (let i = 0; i < Math.min(2e4, total); i++) detector.match(JSON.parse(lines[i]));
  const parseOnly = [];
  const parseDetect = [];
  const detectOnly = [];
  const withCorr = [];
  let matches = 0;
  let hits = 0;
  const objects = lines.map((l) => JSON.parse(l));
  for (let round = 0; round < 3; round++) {
    t = performance.now();
    let sink = 0;
    for (const l of lines) sink += JSON.parse(l) === null ? 1 : 0;
    parseOnly.push(total / ((performance.now() - t) / 1e3));
    t = performance.now();
    matches = 0;
    for (const l of lines) matches += detector.match(JSON.parse(l)).length;
    parseDetect.push(total / ((performance.now() - t) / 1e3));
    t = performance.now();
    for (const e of objects) sink += detector.match(e).length;
    detectOnly.push(total / ((performance.now() - t) / 1e3));
    const corr = createCorrelator(parsed, detector);
    hits = 0;
    t = performance.now();
    for (const l of lines) {
      const e = JSON.parse(l);
      hits += corr.push(e, detector.match(e)).length;
    }
    withCorr.push(total / ((performance.now() - t) / 1e3));
    if (sink < 0) console.log(sink);
  }
  const p = median(parseOnly);
  const pd = median(parseDetect);
  console.log(`JSON.parse alone:                    ${Math.round(p).toLocaleString("en")} events/s`);
  console.log(`JSON.parse + detect:                 ${Math.round(pd).toLocaleString("en")} events/s per core  (${(pd / p).toFixed(2)}\xD7 the JSON.parse rate; detection adds ${((1 / pd - 1 / p) * 1e6).toFixed(2)} \xB5s/event)`);
  console.log(`detect only (pre-parsed objects):    ${Math.round(median(detectOnly)).toLocaleString("en")} events/s per core`);
  console.log(`JSON.parse + detect + correlate:     ${Math.round(median(withCorr)).toLocaleString("en")} events/s per core`);
  console.log(`rule matches: ${matches} (${(matches / total * 100).toFixed(2)} % of events), correlation hits: ${hits}`);
  console.log(`target \u2265 100,000 events/s per core: ${pd >= 1e5 ? "met" : "NOT met"}; peers (published, other hardware): Zircolite ~39k, Hayabusa ~18k, Chainsaw ~4k events/s`);
}
async function prof() {
  const total = Number(process.argv[2] ?? 3e4);
  const files = ["rules", "rules-emerging-threats", "rules-threat-hunting"].flatMap((d) => walk(join(sigmaDir, d))).map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
  const khien = walk("/work/wt/perf/data/sigma/khien").map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
  const all = parseRules([...files, ...khien]);
  const parsed = { ...all, detections: all.detections.filter((d) => inScope(d.info.logsource) || d.info.path.includes("/khien/")) };
  const dets = [["new", compileDetector(parsed)]];
  if (!process.env.NO_OLD) dets.unshift(["old", compileDetector2(parsed)]);
  const r = rng(42);
  const t0 = Date.UTC(2026, 10, 25, 1, 0, 0);
  const win = windowsEvents(r, t0);
  const web = webEvents(r, t0);
  const ssh = sshdEvents();
  const bad = regressionEvents();
  const objs = [];
  for (let i = 0; i < total; i++) {
    const k = r();
    let e;
    if (k < 5e-3 && bad.length) e = bad[i % bad.length];
    else if (k < 0.6) e = win.next().value;
    else if (k < 0.8 && ssh.length) e = ssh[i % ssh.length];
    else e = web.next().value;
    objs.push(JSON.stringify(e));
  }
  const groups = /* @__PURE__ */ new Map();
  for (const l of objs) {
    const e = JSON.parse(l);
    const k = e.Channel ? `${e.Channel}/${e.EventID}` : String(e["khien.logsource.product"]);
    (groups.get(k) ?? groups.set(k, []).get(k)).push(l);
  }
  dets.push(["parse", { match: () => [] }]);
  const gs = [...groups].filter(([, es]) => es.length > 50).sort((a, b) => b[1].length - a[1].length);
  for (const [, d] of dets) for (const e of objs) d.match(JSON.parse(e));
  const best = /* @__PURE__ */ new Map();
  for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
    for (const [name, d] of dets) {
      let all2 = process.cpuUsage().user;
      for (const [k, es] of gs) {
        const t = process.cpuUsage().user;
        for (const e of es) d.match(JSON.parse(e));
        const us2 = (process.cpuUsage().user - t) / es.length;
        const key = `${name} ${k}`;
        best.set(key, Math.min(best.get(key) ?? Infinity, us2));
      }
      const us = (process.cpuUsage().user - all2) / objs.length;
      best.set(`${name} ALL`, Math.min(best.get(`${name} ALL`) ?? Infinity, us));
    }
  }
  for (const [k] of [...gs, ["ALL", []]]) console.log(k.padEnd(45), dets.map(([n]) => `${n} ${best.get(`${n} ${k}`).toFixed(2)} \xB5s`).join("   "));
}
prof().then(() => {
});
export {
  prof,
  run
};
