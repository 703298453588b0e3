import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';

/**
 * A parsed YAML file that remembers where every value came from, so a config error
 * can name the file, the YAML path and the line.
 */
export class YamlSource {
  readonly data: unknown;
  private readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    if (this.doc.errors.length > 0) {
      const first = this.doc.errors[0]!;
      const pos = first.linePos?.[0] ?? (first.pos ? this.lines.linePos(first.pos[0]) : undefined);
      throw new ConfigError(
        `${file}${pos ? `:${pos.line}` : ''}: invalid YAML: ${first.message.split('\n')[0]}`,
      );
    }
    this.data = this.doc.toJS() ?? {};
  }

  /** 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: readonly PropertyKey[]): number | null {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return null;
  }

  describe(path: readonly PropertyKey[]): string {
    const line = this.lineOf(path);
    const yamlPath = path.length === 0 ? '(root)' : formatPath(path);
    return `${this.file}${line ? `:${line}` : ''} at ${yamlPath}`;
  }

  /** Validate with a zod schema; every issue becomes one line naming file, path and line. */
  parse<T extends z.ZodType>(schema: T, basePath: readonly PropertyKey[] = [], value: unknown = this.data): z.infer<T> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const messages = result.error.issues.map((issue) => {
      const path = [...basePath, ...issue.path];
      return `${this.describe(path)}: ${issue.message}`;
    });
    throw new ConfigError(messages.join('\n'));
  }

  /** Report keys that are not part of a known shape, so typos do not pass silently. */
  unknownKeys(path: readonly PropertyKey[], value: unknown, known: readonly string[]): string[] {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.keys(value)
      .filter((key) => !known.includes(key))
      .map((key) => `${this.describe([...path, key])}: unknown key "${key}" ignored`);
  }
}

export const formatPath = (path: readonly PropertyKey[]) =>
  path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
