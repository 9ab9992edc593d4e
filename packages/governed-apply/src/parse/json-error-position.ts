/**
 * The offset of the first syntax error in JSON text (or the end, when it is only truncated). V8's
 * JSON.parse messages do not always say where the error is, and a parse error must name its line.
 * Only called after JSON.parse has failed, so it favours brevity over speed.
 */
export function jsonErrorPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const sequence = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      sequence('}', () => {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    } else if (c === '[') sequence(']', value);
    else if (c === '"') string();
    else {
      const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!literal) return fail();
      i += literal[0].length;
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return text.length;
  } catch (position) {
    return position as number;
  }
}
