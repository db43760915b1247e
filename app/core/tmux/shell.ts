// Command lines for a server's login shell. sshd hands every command line to the user's login shell (`$SHELL -c …`),
// and that shell is not always POSIX: fish treats `\'` and `\\` inside single quotes as escapes. So every line is a
// POSIX script run by `/bin/sh`, passed as one word quoted so that POSIX shells, bash, zsh and fish all read the
// same value.

/**
 * Quotes one argument so that POSIX sh, bash, zsh and fish all read exactly `value`: safe runs go in single quotes,
 * and every `'` and `\` goes outside them as `\'` and `\\`, which all of these shells read the same way. (Inside
 * single quotes fish would read `\'` and `\\` as escapes, where POSIX shells would not.)
 */
export function shellQuote(value: string): string {
  // No `=` among the bare characters: zsh expands a word starting with `=` (`=name` is the path of `name`).
  if (value !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  let out = '';
  let run = '';
  for (const ch of value) {
    if (ch === "'" || ch === '\\') {
      if (run) out += `'${run}'`;
      run = '';
      out += `\\${ch}`;
    } else run += ch;
  }
  if (run) out += `'${run}'`;
  return out === '' ? "''" : out;
}

/** Joins arguments into one shell command line, quoting each. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

/** A POSIX script as one command line for any login shell: `/bin/sh` runs it, whatever `$SHELL` is. */
export function posixCommand(script: string): string {
  return `exec /bin/sh -c ${shellQuote(script)}`;
}
