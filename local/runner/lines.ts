import { StringDecoder } from 'node:string_decoder';

/** Cuts a byte stream into lines (without their `\n` or `\r\n`); `end` flushes an unterminated last line. */
export function lineSplitter(onLine: (line: string) => void): {
  push(chunk: Buffer): void;
  end(): void;
} {
  // StringDecoder keeps a multi-byte character split across chunks whole.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (text: string): void => {
    const parts = (pending + text).split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
  };
  return {
    push: (chunk) => emit(decoder.write(chunk)),
    end: () => {
      emit(decoder.end());
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
