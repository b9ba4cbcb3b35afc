/**
 * One declaration per knob: its flag (whose name is also the config-file key and, upper-cased
 * after SMSGATE_CA_, the environment variable), help, default and parser. The object key the knob
 * sits under in its table is the typed field it fills. Flags, `--help`, the environment names, the
 * config-file schema and the frozen settings object are all generated from a table.
 */

/** A command-line flag as the CLI parses it and `--help` lists it. */
export interface FlagSpec {
  /** Long name without dashes, kebab-case; also the config-file key. */
  readonly name: string;
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly default?: string;
  /**
   * Environment variables read when the flag is absent, the first one set wins; default
   * SMSGATE_CA_<NAME>. `false` disables.
   */
  readonly env?: string | readonly string[] | false;
  readonly valueName?: string;
  /** A list: the flag may be given several times; its values reach the parser as one comma list. */
  readonly multiple?: boolean;
}

/** Flag values by flag name, after flags, environment, config file and defaults were layered. */
export type SettingValues = Readonly<Record<string, string | boolean | undefined>>;

interface KnobBase<Flag extends string> {
  readonly flag: Flag;
  readonly help: string;
  /** Default SMSGATE_CA_<FLAG>. */
  readonly env?: string | readonly string[] | false;
}

/** A knob that takes a value: text in (the flag's, the environment's, the file's or the default), typed value out. */
export interface ValueKnob<T, Flag extends string = string> extends KnobBase<Flag> {
  readonly kind: 'value';
  readonly valueName: string;
  readonly default?: string;
  /** A list: repeat the flag or give a comma list (the environment and the config file: a comma list, the file also a YAML list). */
  readonly multiple?: boolean;
  /** `text` is undefined when nothing was given and there is no default; `flag` names the knob in messages. */
  readonly parse: (text: string | undefined, flag: string) => T;
}

/** An on/off flag. */
export interface SwitchKnob<T, Flag extends string = string> extends KnobBase<Flag> {
  readonly kind: 'switch';
  readonly parse: (on: boolean) => T;
}

export type Knob<T, Flag extends string = string> = ValueKnob<T, Flag> | SwitchKnob<T, Flag>;

export type SettingsTable = Readonly<Record<string, Knob<unknown>>>;

/** The typed, frozen object a table reads into: one field per knob. */
export type SettingsOf<Table extends SettingsTable> = { readonly [Field in keyof Table]: Table[Field] extends Knob<infer T> ? T : never };

/** What a table reads: values by flag name (a misspelt flag name does not compile). */
export type ValuesOf<Table extends SettingsTable> = Partial<Readonly<Record<Table[keyof Table]['flag'], string | boolean | undefined>>>;

export function valueKnob<T, Flag extends string>(knob: Omit<ValueKnob<T, Flag>, 'kind'>): ValueKnob<T, Flag> {
  return { kind: 'value', ...knob };
}

/** An on/off knob; without `parse` its field is the boolean itself. */
export function switchKnob<Flag extends string, T = boolean>(knob: Omit<SwitchKnob<T, Flag>, 'kind' | 'parse'> & { readonly parse?: (on: boolean) => T }): SwitchKnob<T, Flag> {
  return { kind: 'switch', parse: knob.parse ?? ((on: boolean) => on as T), flag: knob.flag, help: knob.help, ...(knob.env !== undefined ? { env: knob.env } : {}) };
}

/** Reads every knob of `table` from `values` (keyed by flag name), applying defaults and parsers. */
export function readSettings<Table extends SettingsTable>(table: Table, values: ValuesOf<Table>): SettingsOf<Table> {
  const given: SettingValues = values;
  const settings: Record<string, unknown> = {};
  for (const [field, knob] of Object.entries(table)) settings[field] = readKnob(knob, given[knob.flag]);
  return Object.freeze(settings) as SettingsOf<Table>;
}

function readKnob(knob: Knob<unknown>, given: string | boolean | undefined): unknown {
  if (knob.kind === 'switch') return knob.parse(given === true);
  const text = typeof given === 'string' && given !== '' ? given : knob.default;
  return knob.parse(text, knob.flag);
}

/** The flags a table declares, in its order. */
export function flagsOf(table: SettingsTable): FlagSpec[] {
  return Object.values(table).map(flagOf);
}

export function flagOf(knob: Knob<unknown>): FlagSpec {
  return {
    name: knob.flag,
    type: knob.kind === 'switch' ? 'boolean' : 'string',
    description: knob.help,
    ...(knob.kind === 'value' ? { valueName: knob.valueName, ...(knob.default !== undefined ? { default: knob.default } : {}), ...(knob.multiple ? { multiple: true } : {}) } : {}),
    ...(knob.env !== undefined ? { env: knob.env } : {}),
  };
}
