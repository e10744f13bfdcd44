import { loadModule, parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';

// A subset root's `where` is written by a tenant and evaluated in production,
// so it is hostile input: a subquery, a UNION that breaks out of its
// parentheses or a function with side effects would read (or do) anything the
// production role may. It is parsed by PostgreSQL's own parser (libpg-query),
// checked node by node against what a row filter needs — columns of the root
// table, constants, comparisons, boolean logic and a few pure functions — and
// what runs is the condition rebuilt from that checked tree, never the text.
// A column is usable only when the seed copies its values unchanged: a filter
// on a masked column would tell, by which rows arrive, what production holds.

export class SubsetWhereError extends Error {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SubsetWhereError';
  }
}

export interface WhereTable {
  /** The table's bare name: `orders.total` may qualify a column with it. */
  name: string;
  /** Why a column may not be filtered on (undefined: it may); called only for columns that exist. */
  refuse: (column: string) => string | undefined;
  columns: readonly string[];
}

const MAX_LENGTH = 4096;
const MAX_NODES = 1000;

const OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '~~', '!~~', '~~*', '!~~*']);
const EXPRESSION_KINDS = new Set([
  'AEXPR_OP',
  'AEXPR_OP_ANY',
  'AEXPR_OP_ALL',
  'AEXPR_IN',
  'AEXPR_LIKE',
  'AEXPR_ILIKE',
  'AEXPR_BETWEEN',
  'AEXPR_NOT_BETWEEN',
  'AEXPR_BETWEEN_SYM',
  'AEXPR_NOT_BETWEEN_SYM',
  'AEXPR_DISTINCT',
  'AEXPR_NOT_DISTINCT',
  'AEXPR_NULLIF',
]);
/** Pure, cheap functions a filter reasonably uses; called as pg_catalog's, whatever the role's search_path says. */
const FUNCTIONS = new Set([
  'now',
  'lower',
  'upper',
  'length',
  'char_length',
  'abs',
  'round',
  'floor',
  'ceil',
  'date_trunc',
  'date_part',
  'extract',
  'make_interval',
  'to_date',
  'to_timestamp',
]);
const TYPES = new Set([
  'int2',
  'int4',
  'int8',
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'decimal',
  'float4',
  'float8',
  'real',
  'text',
  'varchar',
  'bpchar',
  'bool',
  'boolean',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
]);

let loaded: Promise<void> | undefined;

/** Loads the parser (WebAssembly) once; `compileSubsetWhere` needs it first. */
export function loadWhereParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const strings = (list: Json | undefined): string[] | undefined => {
  if (!Array.isArray(list)) return undefined;
  const out: string[] = [];
  for (const item of list) {
    const s = isObject(item) && isObject(item.String) ? item.String.sval : undefined;
    if (typeof s !== 'string') return undefined;
    out.push(s);
  }
  return out;
};

/**
 * Checks a subset condition and returns the SQL to run for it, rebuilt from the checked parse tree.
 * Throws SubsetWhereError naming `field` and what is not allowed. Call `loadWhereParser()` first.
 */
export function compileSubsetWhere(where: string, table: WhereTable, field: string): string {
  if (where.length > MAX_LENGTH) throw new SubsetWhereError(field, `longer than ${MAX_LENGTH} characters`);
  let parsed: { stmts?: Array<{ stmt?: Json }> };
  try {
    parsed = parseSync(`SELECT 1 FROM t WHERE (${where})`) as typeof parsed;
  } catch (err) {
    throw new SubsetWhereError(field, `not a SQL condition: ${(err as Error).message}`);
  }
  const condition = onlyCondition(parsed, field);
  const checker = new Checker(table, field);
  checker.visit(condition);
  return deparseSync(condition as never).replace(/\s+/g, ' ');
}

/** The statement must be `SELECT 1 FROM t WHERE <condition>` and nothing else: no UNION, no second statement. */
function onlyCondition(parsed: { stmts?: Array<{ stmt?: Json }> }, field: string): Json {
  const [only, ...more] = parsed.stmts ?? [];
  const select = isObject(only?.stmt) ? only.stmt.SelectStmt : undefined;
  const breaksOut = new SubsetWhereError(field, 'must be one condition; it closes its parentheses or adds a statement');
  if (more.length > 0 || !isObject(select)) throw breaksOut;
  const expected = new Set(['targetList', 'fromClause', 'whereClause', 'limitOption', 'op']);
  for (const key of Object.keys(select)) if (!expected.has(key)) throw breaksOut;
  if (select.op !== 'SETOP_NONE' || !Array.isArray(select.targetList) || select.targetList.length !== 1)
    throw breaksOut;
  if (!Array.isArray(select.fromClause) || select.fromClause.length !== 1) throw breaksOut;
  if (select.whereClause === undefined) throw breaksOut;
  return select.whereClause;
}

class Checker {
  private nodes = 0;

  constructor(
    private readonly table: WhereTable,
    private readonly field: string,
  ) {}

  private refuse(message: string): never {
    throw new SubsetWhereError(this.field, message);
  }

  visit(node: Json | undefined): void {
    if (node === undefined || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => this.visit(item));
    if (++this.nodes > MAX_NODES) this.refuse(`more than ${MAX_NODES} parts`);
    const [kind, ...rest] = Object.keys(node);
    if (kind === undefined || rest.length > 0) this.refuse('is not a condition');
    const body = node[kind];
    if (!isObject(body)) return this.refuse(`${kind} is not allowed in a subset condition`);
    switch (kind) {
      case 'A_Const':
        return;
      case 'ColumnRef':
        return this.column(node, body);
      case 'BoolExpr':
      case 'CoalesceExpr':
      case 'MinMaxExpr':
      case 'RowExpr':
        return this.visit(body.args);
      case 'A_ArrayExpr':
        return this.visit(body.elements);
      case 'List':
        return this.visit(body.items);
      case 'NullTest':
      case 'BooleanTest':
        return this.visit(body.arg);
      case 'A_Expr':
        return this.expression(body);
      case 'TypeCast':
        return this.cast(body);
      case 'FuncCall':
        return this.call(body);
      case 'SQLValueFunction': {
        // The date and time ones; not current_user and its kin.
        const op = typeof body.op === 'string' ? body.op : '';
        if (/^SVFOP_(CURRENT_DATE|CURRENT_TIME|CURRENT_TIMESTAMP|LOCALTIME|LOCALTIMESTAMP)/.test(op)) return;
        return this.refuse(`${op.replace('SVFOP_', '').toLowerCase()} is not allowed in a subset condition`);
      }
      case 'CaseExpr':
        this.visit(body.arg);
        this.visit(body.args);
        return this.visit(body.defresult);
      case 'CaseWhen':
        this.visit(body.expr);
        return this.visit(body.result);
      default:
        return this.refuse(`${describe(kind)} is not allowed in a subset condition`);
    }
  }

  private column(node: JsonObject, body: JsonObject): void {
    const fields = strings(body.fields);
    if (!fields) return this.refuse('only columns of the root table may be named (no *)');
    const [first, second, ...more] = fields;
    if (more.length > 0 || first === undefined || (second !== undefined && first !== this.table.name))
      return this.refuse(`${fields.join('.')}: only columns of the root table ${this.table.name} may be named`);
    const name = second ?? first;
    if (!this.table.columns.includes(name)) this.refuse(`column ${name} does not exist in ${this.table.name}`);
    const why = this.table.refuse(name);
    if (why) this.refuse(`column ${name} cannot be filtered on: ${why}`);
    // Unqualified in what runs: the predicate is used inside queries that alias the table.
    node.ColumnRef = { ...body, fields: [{ String: { sval: name } }] };
  }

  private expression(body: JsonObject): void {
    const kind = typeof body.kind === 'string' ? body.kind : '';
    if (!EXPRESSION_KINDS.has(kind)) this.refuse(`${kind.toLowerCase()} is not allowed in a subset condition`);
    const name = strings(body.name);
    const op = name?.length === 1 ? name[0] : undefined;
    const checked = kind === 'AEXPR_OP' || kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL';
    if (checked && (op === undefined || !OPERATORS.has(op)))
      this.refuse(`operator ${name?.join('.') ?? '?'} is not allowed (allowed: ${[...OPERATORS].join(' ')})`);
    this.visit(body.lexpr);
    this.visit(body.rexpr);
  }

  private cast(body: JsonObject): void {
    const typeName = isObject(body.typeName) ? body.typeName : undefined;
    const names = strings(typeName?.names);
    const type = names?.at(-1);
    const qualified = names !== undefined && (names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog'));
    if (!qualified || type === undefined || !TYPES.has(type) || typeName?.arrayBounds !== undefined)
      this.refuse(`a cast to ${names?.join('.') ?? '?'} is not allowed (allowed: ${[...TYPES].join(', ')})`);
    this.visit(typeName?.typmods);
    this.visit(body.arg);
  }

  private call(body: JsonObject): void {
    const names = strings(body.funcname);
    const fn = names?.at(-1);
    const qualified = names !== undefined && (names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog'));
    if (!qualified || fn === undefined || !FUNCTIONS.has(fn))
      this.refuse(`function ${names?.join('.') ?? '?'} is not allowed (allowed: ${[...FUNCTIONS].join(', ')})`);
    for (const key of [
      'agg_star',
      'agg_distinct',
      'over',
      'agg_filter',
      'agg_order',
      'agg_within_group',
      'func_variadic',
    ])
      if (body[key] !== undefined && body[key] !== false)
        this.refuse(`${fn}: aggregates and window calls are not allowed`);
    // pg_catalog's function, whatever the production role's search_path puts first.
    body.funcname = [{ String: { sval: 'pg_catalog' } }, { String: { sval: fn } }];
    this.visit(body.args);
  }
}

function describe(kind: string): string {
  switch (kind) {
    case 'SubLink':
      return 'a subquery';
    case 'ParamRef':
      return 'a parameter ($n)';
    case 'A_Indirection':
      return 'a subscript or field selection';
    case 'CollateClause':
      return 'COLLATE';
    default:
      return kind;
  }
}
