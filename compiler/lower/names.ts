/** The longest state name Step Functions accepts. */
export const MAX_STATE_NAME = 80;

/** What `take` rewrites: runs of whitespace, whitespace other than a space, spaces at the ends. */
const UNCLEAN = /\s\s|[^\S ]|^ | $/;

/**
 * Hands out state names that are unique across a state machine (and its parts), at most 80
 * characters, deterministic: the same requests in the same order give the same names.
 */
export class NameAllocator {
  private readonly used = new Set<string>();
  /** Names handed out since `record` began, when recording. */
  private recorded: string[] | undefined;

  /** Starts writing down the names `take` hands out; `stop` returns them. */
  record(): void {
    this.recorded = [];
  }

  stop(): string[] {
    const names = this.recorded ?? [];
    this.recorded = undefined;
    return names;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  /** Takes exactly `name` (free, see `has`), for states an earlier lowering built. */
  claim(name: string): void {
    this.used.add(name);
    this.recorded?.push(name);
  }

  /** A unique name close to `wanted`; a numeric suffix when taken, cut to fit. */
  take(wanted: string): string {
    // Tens of thousands of names per workflow, nearly all already clean: tested, not rewritten.
    const base =
      wanted.length <= MAX_STATE_NAME && !UNCLEAN.test(wanted)
        ? wanted
        : wanted.replace(/\s+/g, ' ').trim().slice(0, MAX_STATE_NAME);
    let name = base;
    for (let n = 2; this.used.has(name); n++) {
      const suffix = ` ${n}`;
      name = `${base.slice(0, MAX_STATE_NAME - suffix.length)}${suffix}`;
    }
    this.used.add(name);
    this.recorded?.push(name);
    return name;
  }
}

const NOT_KEY = /[^A-Za-z0-9_]/g;
const DIGIT_FIRST = /^(?=[0-9])/;

/** A JSON key usable in dot-notation paths for a job or join name (`build-app` -> `build_app`). */
export class KeyAllocator {
  private readonly byName = new Map<string, string>();
  private readonly used = new Set<string>();

  key(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const base = name.replace(NOT_KEY, '_').replace(DIGIT_FIRST, '_');
    let key = base;
    for (let n = 2; this.used.has(key); n++) key = `${base}_${n}`;
    this.used.add(key);
    this.byName.set(name, key);
    return key;
  }
}

/** A path to a field, in dot notation when the name allows it, else in bracket notation. */
export function fieldPath(base: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? `${base}.${name}`
    : `${base}['${name.replace(/'/g, "\\'")}']`;
}
