/**
 * Splits a command line into words the way a POSIX shell does for the quoting the AWS CLI examples
 * use: 'single quotes' (literal), "double quotes" (backslash escapes \" \\ \$ \`), and unquoted
 * backslash escapes. No expansion happens: `$default` stays `$default`, as in single quotes.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const next = line[j + 1] ?? '';
        if (line[j] === '\\' && '"\\$`'.includes(next)) {
          word += next;
          j++;
        } else word += line[j];
      }
      if (j >= line.length) throw new Error(`unterminated double quote in: ${line}`);
      inWord = true;
      i = j;
    } else if (c === '\\') {
      word += line[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
