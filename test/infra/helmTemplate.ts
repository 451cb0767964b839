import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * A small renderer for the subset of Helm's Go templates that our chart uses, so the chart can be
 * checked where helm is not installed: `{{ .Values.a.b }}`, `.Release.Name`, `$` and range
 * variables, whitespace trimming (`{{-`, `-}}`), `if`/`else`/`end`, `range $i := ...`, `(...)`, pipes,
 * and the functions quote, toYaml, nindent, add, until, int, not, required. Anything else throws, so
 * a template outgrowing the subset fails loudly rather than rendering wrong; helm.test.ts compares
 * this renderer with the real `helm template` wherever helm is available.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'out'; expr: string }
  | { kind: 'if'; cond: string; then: Node[]; else: Node[] }
  | { kind: 'range'; variable?: string; expr: string; body: Node[] };

interface Scope {
  root: Record<string, unknown>;
  dot: unknown;
  vars: Record<string, unknown>;
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  quote: (v) => JSON.stringify(String(v)),
  toYaml: (v) => stringify(v).trimEnd(),
  nindent: (n, s) => `\n${indent(Number(n), String(s))}`,
  add: (...nums) => nums.reduce<number>((sum, x) => sum + Number(x), 0),
  until: (n) => Array.from({ length: Number(n) }, (_, i) => i),
  int: (v) => Math.trunc(Number(v)),
  not: (v) => !truthy(v),
  required: (message, v) => {
    if (v === undefined || v === null || v === '') throw new Error(String(message));
    return v;
  },
};

const indent = (n: number, s: string) =>
  s
    .split('\n')
    .map((line) => ' '.repeat(n) + line)
    .join('\n');
const truthy = (v: unknown) =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v as object).length === 0)
  );

/** Splits a template into text and actions, applying `{{-` / `-}}` trimming; drops comments. */
function lex(source: string): ({ text: string } | { action: string })[] {
  const parts: ({ text: string } | { action: string })[] = [];
  let trimNext = false;
  let last = 0;
  for (const m of source.matchAll(/\{\{(-\s)?\s*([\s\S]*?)\s*(\s-)?\}\}/g)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.trimStart();
    if (m[1]) text = text.trimEnd();
    parts.push({ text });
    if (!m[2]!.startsWith('/*')) parts.push({ action: m[2]! });
    trimNext = Boolean(m[3]);
    last = m.index! + m[0].length;
  }
  parts.push({ text: trimNext ? source.slice(last).trimStart() : source.slice(last) });
  return parts;
}

function parseTemplate(source: string): Node[] {
  const top: Node[] = [];
  // Each open block: where its nodes go now, and the block itself.
  const stack: { into: Node[]; block?: Extract<Node, { kind: 'if' | 'range' }> }[] = [{ into: top }];
  for (const part of lex(source)) {
    const frame = stack[stack.length - 1]!;
    if ('text' in part) {
      if (part.text) frame.into.push({ kind: 'text', text: part.text });
      continue;
    }
    const a = part.action;
    let m: RegExpExecArray | null;
    if ((m = /^if\s+(.+)$/.exec(a))) {
      const block: Node = { kind: 'if', cond: m[1]!, then: [], else: [] };
      frame.into.push(block);
      stack.push({ into: block.then, block });
    } else if ((m = /^range\s+(?:(\$\w+)\s*:=\s*)?(.+)$/.exec(a))) {
      const block: Node = { kind: 'range', variable: m[1], expr: m[2]!, body: [] };
      frame.into.push(block);
      stack.push({ into: block.body, block });
    } else if (a === 'else') {
      if (frame.block?.kind !== 'if') throw new Error('else outside if');
      frame.into = frame.block.else;
    } else if (a === 'end') {
      if (!frame.block) throw new Error('end without a block');
      stack.pop();
    } else if (/^(else\s+if|with|define|template|include|block)\b/.test(a) || a.includes(':=')) {
      throw new Error(`template action this renderer does not support: {{ ${a} }}`);
    } else {
      frame.into.push({ kind: 'out', expr: a });
    }
  }
  if (stack.length !== 1) throw new Error('unclosed block');
  return top;
}

/** Tokens of one command: strings, parenthesised groups, words. */
function tokens(command: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < command.length) {
    const c = command[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    if (c === '"') {
      while (j < command.length && command[j] !== '"') j += command[j] === '\\' ? 2 : 1;
      j++;
    } else if (c === '(') {
      for (let depth = 1; depth > 0 && j < command.length; j++) depth += command[j] === '(' ? 1 : command[j] === ')' ? -1 : 0;
    } else {
      while (j < command.length && !/[\s()"]/.test(command[j]!)) j++;
    }
    out.push(command.slice(i, j));
    i = j;
  }
  return out;
}

/** Splits a pipeline on `|` outside strings and parentheses. */
function commands(pipeline: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < pipeline.length; i++) {
    const c = pipeline[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(pipeline.slice(start, i));
      start = i + 1;
    }
  }
  out.push(pipeline.slice(start));
  return out.map((s) => s.trim());
}

function lookup(from: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], from);
}

function operand(token: string, scope: Scope): unknown {
  if (token.startsWith('(')) return evaluate(token.slice(1, -1), scope);
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (/^-?\d+$/.test(token)) return Number(token);
  if (token === 'true' || token === 'false') return token === 'true';
  if (token === '.') return scope.dot;
  if (token.startsWith('$.')) return lookup(scope.root, token.slice(2));
  if (token === '$') return scope.root;
  if (token.startsWith('$')) {
    const [name, ...rest] = token.split('.');
    if (!(name! in scope.vars)) throw new Error(`undefined variable ${name}`);
    return lookup(scope.vars[name!], rest.join('.'));
  }
  if (token.startsWith('.')) return lookup(scope.dot, token.slice(1));
  throw new Error(`operand this renderer does not support: ${token}`);
}

function evaluate(pipeline: string, scope: Scope): unknown {
  let piped: unknown[] = [];
  for (const command of commands(pipeline)) {
    const [head, ...args] = tokens(command);
    if (head === undefined) throw new Error(`empty command in ${pipeline}`);
    const fn = FUNCTIONS[head];
    if (fn) piped = [fn(...args.map((t) => operand(t, scope)), ...piped)];
    else if (/^[a-zA-Z]\w*$/.test(head) && !['true', 'false'].includes(head)) throw new Error(`function this renderer does not support: ${head}`);
    else if (args.length || piped.length) throw new Error(`cannot apply arguments to ${head}`);
    else piped = [operand(head, scope)];
  }
  return piped[0];
}

function render(nodes: Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'if') out += render(truthy(evaluate(node.cond, scope)) ? node.then : node.else, scope);
    else if (node.kind === 'range') {
      const items = evaluate(node.expr, scope);
      for (const item of Array.isArray(items) ? items : Object.values((items ?? {}) as object)) {
        out += render(node.body, { ...scope, dot: item, vars: node.variable ? { ...scope.vars, [node.variable]: item } : scope.vars });
      }
    } else {
      const v = evaluate(node.expr, scope);
      if (v === undefined || v === null) throw new Error(`no value for {{ ${node.expr} }}`);
      out += String(v);
    }
  }
  return out;
}

/** Deep merge of plain objects, the way `helm -f` layers values files. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) {
    return over === undefined ? base : over;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = mergeValues(out[k], v);
  return out;
}

/** Renders every YAML template of a chart into its Kubernetes objects (empty documents dropped). */
export function renderChart(chartDir: string, overrides: Record<string, unknown> = {}, releaseName = 'sightline'): Record<string, any>[] {
  const values = mergeValues(parseAllDocuments(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'))[0]!.toJSON(), overrides);
  const root = { Values: values, Release: { Name: releaseName, Namespace: 'default' } };
  const docs: Record<string, any>[] = [];
  for (const file of readdirSync(path.join(chartDir, 'templates'))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    let text: string;
    try {
      text = render(parseTemplate(readFileSync(path.join(chartDir, 'templates', file), 'utf8')), { root, dot: root, vars: {} });
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
    }
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const json = doc.toJSON() as Record<string, any> | null;
      if (json) docs.push(json);
    }
  }
  return docs;
}
