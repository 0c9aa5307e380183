// One bus subject family as the catalogue holds it: its name (a concrete subject, or a template
// with parameter tokens and a typed builder), its payload schema (built on first use, so loading
// core builds none), version, description, and which workers publish and consume it.
import * as z from 'zod/mini';
import { InvalidSubjectError } from '../errors.js';
import { assertLeaf, assertPattern, assertToken, matchSubject } from '../subjects.js';

/** Any zod schema (the catalogue builds its schemas with zod/mini). */
export type AnySchema = z.ZodMiniType;

/** Names of the `<param>` tokens of a template, in order (`<leaf...>` keeps its dots). */
export type TemplateParams<T extends string> = T extends `${string}<${infer P}>${infer Rest}`
  ? [P, ...TemplateParams<Rest>]
  : [];

/** One string per element of `P`. */
type Strings<P extends readonly unknown[]> = { [K in keyof P]: string };

/** One string per template parameter. */
export type SubjectArgs<T extends string> = Strings<TemplateParams<T>>;

/** A concrete subject (no parameters) is a string; a template becomes a builder taking its parameters. */
export type SubjectOf<T extends string> = TemplateParams<T> extends [] ? T : (...params: SubjectArgs<T>) => string;

/** The first token of a template. */
export type RootOf<T extends string> = T extends `${infer R}.${string}` ? R : T;

/** Who speaks a subject. Names are worker names (`ttp`), apps (`cli`, `supervise`) or `*` (every worker). */
export interface EventParties {
  readonly producers?: readonly string[];
  readonly consumers?: readonly string[];
}

/** What a catalogue entry is made from. */
export interface EventDefinition<T extends string, S extends AnySchema> {
  /**
   * The subject, with each parameter token written `<name>` (one token) or `<name...>` (the
   * last token, spanning one or more tokens): `system.<worker>.health`, `attacker.observation.<primitive...>`.
   */
  readonly template: T;
  /** Bumped when a field is removed or changes meaning; consumers accept every version they know. */
  readonly version: number;
  /** One line: what the event says happened. */
  readonly description: string;
  /** decnet workers and apps that publish it today (empty: no producer yet). */
  readonly producers: readonly string[];
  /** decnet workers and apps that subscribe to it today. */
  readonly consumers: readonly string[];
  /** Upstream's parties that decnet has no worker for yet (enrich, clusterer, api, ...). */
  readonly planned?: EventParties;
  /** Builds the payload schema; called once, on first use. */
  readonly schema: () => S;
  /** Replaces the default builder (validate each parameter as a token, or a leaf for `<name...>`). */
  readonly build?: (...params: SubjectArgs<T>) => string;
  /**
   * Replaces the derived pattern with a wider one that subscribers already use (consumer groups
   * are named after their pattern, so changing it would lose their positions).
   */
  readonly pattern?: string;
}

/** A catalogue entry. */
export interface EventSpec<T extends string = string, S extends AnySchema = AnySchema> {
  readonly template: T;
  /** The subscription pattern matching every subject of the family (`<x>` → `*`, `<x...>` → `>`). */
  readonly pattern: string;
  readonly root: RootOf<T>;
  /** The subject (concrete families) or its builder (parameterised families). */
  readonly subject: SubjectOf<T>;
  readonly version: number;
  readonly description: string;
  readonly producers: readonly string[];
  readonly consumers: readonly string[];
  readonly planned: EventParties;
  /** The payload schema (built on first access). */
  readonly schema: S;
  /** True when `subject` belongs to this family. */
  matches(subject: string): boolean;
  /**
   * The schema of just `fields` (unknown and unlisted keys are dropped), built once per list: a
   * consumer on a hot path validates only what it reads.
   */
  fieldsSchema<K extends FieldOf<z.infer<S>>>(fields: readonly K[]): z.ZodMiniType<Pick<z.infer<S>, K>>;
}

/** Keys of an object payload. */
export type FieldOf<P> = P extends object ? keyof P & string : never;

/** Any catalogue entry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventSpec = EventSpec<string, any>;

/** The payload type of a catalogue entry. */
export type PayloadOf<E> = E extends EventSpec<string, infer S> ? z.infer<S> : never;

const PARAM = /^<([A-Za-z][A-Za-z0-9_]*)(\.\.\.)?>$/;

/** One token of a template: a literal, or a parameter (`leaf`: spans one or more tokens). */
interface TemplatePart {
  readonly literal: string | undefined;
  readonly leaf: boolean;
}

/** Splits a template into its parts. @throws InvalidSubjectError for a malformed template. */
function parseTemplate(template: string): TemplatePart[] {
  // Dots inside `<name...>` belong to the parameter, not the grammar.
  const tokens = template.split(/\.(?![^<]*>)/);
  const parts = tokens.map((token, i) => {
    const param = PARAM.exec(token);
    if (!param) return { literal: assertToken(token), leaf: false };
    const leaf = param[2] !== undefined;
    if (leaf && i !== tokens.length - 1) throw new InvalidSubjectError(template, '`<name...>` must be the last token');
    return { literal: undefined, leaf };
  });
  if (parts[0]?.literal === undefined) throw new InvalidSubjectError(template, 'the first token must be literal');
  return parts;
}

/** The default builder of a template: each parameter checked as a token (or a leaf for `<name...>`). */
function templateBuilder(template: string, params: number): (...args: string[]) => string {
  let parts: TemplatePart[] | undefined;
  return (...args) => {
    parts ??= parseTemplate(template);
    if (args.length !== params) throw new InvalidSubjectError(template, `expects ${params} parameter(s), got ${args.length}`);
    let next = 0;
    return parts
      .map((p) => {
        if (p.literal !== undefined) return p.literal;
        const value = args[next++] as string;
        return p.leaf ? assertLeaf(value) : assertToken(value);
      })
      .join('.');
  };
}

/** `wider` after checking it covers `derived`. @throws InvalidSubjectError when it does not. */
function widerPattern(template: string, derived: string, wider: string): string {
  assertPattern(wider);
  const w = wider.split('.');
  const d = derived.split('.');
  const covers = d.every((token, i) => w[i] === '>' || (i < w.length && (w[i] === '*' || w[i] === token))) && (w.at(-1) === '>' || w.length === d.length);
  if (!covers) throw new InvalidSubjectError(wider, `does not cover ${template}`);
  return wider;
}

const NO_PARTIES: EventParties = Object.freeze({});

// A class, so the ~50 entries share their methods instead of each holding closures: every worker
// loads the catalogue, and most entries are never used by a given worker.
class CatalogueEntry<T extends string, S extends AnySchema> implements EventSpec<T, S> {
  readonly template: T;
  readonly pattern: string;
  readonly root: RootOf<T>;
  readonly subject: SubjectOf<T>;
  readonly version: number;
  readonly description: string;
  readonly producers: readonly string[];
  readonly consumers: readonly string[];
  readonly planned: EventParties;
  #buildSchema: (() => S) | undefined;
  #schema: S | undefined;
  #views: Map<string, AnySchema> | undefined;

  constructor(definition: EventDefinition<T, S>) {
    const parts = parseTemplate(definition.template);
    const params = parts.filter((p) => p.literal === undefined).length;
    const derived = parts.map((p) => p.literal ?? (p.leaf ? '>' : '*')).join('.');
    this.template = definition.template;
    this.pattern = definition.pattern ? widerPattern(definition.template, derived, definition.pattern) : derived;
    this.root = parts[0]?.literal as RootOf<T>;
    this.subject = (params === 0 ? definition.template : (definition.build ?? templateBuilder(definition.template, params))) as SubjectOf<T>;
    this.version = definition.version;
    this.description = definition.description;
    this.producers = definition.producers;
    this.consumers = definition.consumers;
    this.planned = definition.planned ?? NO_PARTIES;
    this.#buildSchema = definition.schema;
  }

  get schema(): S {
    if (this.#schema === undefined) {
      this.#schema = (this.#buildSchema as () => S)();
      this.#buildSchema = undefined;
    }
    return this.#schema;
  }

  matches(candidate: string): boolean {
    return matchSubject(this.pattern, candidate);
  }

  fieldsSchema<K extends FieldOf<z.infer<S>>>(fields: readonly K[]): z.ZodMiniType<Pick<z.infer<S>, K>> {
    this.#views ??= new Map();
    const key = fields.join(',');
    let view = this.#views.get(key);
    if (!view) {
      const mask = Object.fromEntries(fields.map((f) => [f, true])) as Record<string, true>;
      view = z.pick(this.schema as unknown as z.ZodMiniObject, mask);
      this.#views.set(key, view);
    }
    return view as z.ZodMiniType<Pick<z.infer<S>, K>>;
  }
}

/** Creates a catalogue entry. Cheap: the schema is built on first use. */
export function defineEvent<const T extends string, S extends AnySchema>(definition: EventDefinition<T, S>): EventSpec<T, S> {
  return new CatalogueEntry(definition);
}
