/**
 * `<think>…</think>` in the answer text, as local reasoning models write it (DeepSeek-R1
 * distills, QwQ, Qwen3 on Ollama/vLLM/llama.cpp without a reasoning parser), split into
 * reasoning and content — opt-in per model (rule `reasoningField: 'think-tags'`), since
 * other models may legitimately write the tag. Streams split tags anywhere (`<thi` + `nk>`),
 * so a possible tag start at the end of a piece is held back until the next one.
 */
const OPEN = '<think>';
const CLOSE = '</think>';

export interface SplitText {
  reasoning: string;
  content: string;
}

/** Length of the longest proper prefix of `tag` that `text` ends with. */
const partialTagAt = (text: string, tag: string): number => {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
};

export class ThinkTagSplitter {
  private inside = false;
  private held = '';
  /** After `</think>` models write a blank line or two before the answer: not content. */
  private trimNext = false;

  push(text: string): SplitText {
    const out: SplitText = { reasoning: '', content: '' };
    let rest = this.held + text;
    this.held = '';
    while (rest !== '') {
      const tag = this.inside ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      if (at !== -1) {
        this.emit(out, rest.slice(0, at));
        rest = rest.slice(at + tag.length);
        this.inside = !this.inside;
        if (!this.inside) this.trimNext = true;
        continue;
      }
      const partial = partialTagAt(rest, tag);
      this.emit(out, rest.slice(0, rest.length - partial));
      this.held = rest.slice(rest.length - partial);
      break;
    }
    return out;
  }

  /** What is still held back once the text ended (a lone `<thi` is just text). */
  end(): SplitText {
    const out: SplitText = { reasoning: '', content: '' };
    const held = this.held;
    this.held = '';
    this.emit(out, held);
    return out;
  }

  private emit(out: SplitText, text: string): void {
    if (text === '') return;
    if (this.inside) {
      out.reasoning += text;
      return;
    }
    let piece = text;
    if (this.trimNext) {
      piece = piece.replace(/^\s+/, '');
      if (piece !== '') this.trimNext = false;
    }
    out.content += piece;
  }
}

/** A whole answer's text, split. */
export const splitThinkTags = (text: string): SplitText => {
  const splitter = new ThinkTagSplitter();
  const first = splitter.push(text);
  const last = splitter.end();
  return { reasoning: first.reasoning + last.reasoning, content: first.content + last.content };
};
