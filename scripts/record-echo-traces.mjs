#!/usr/bin/env node
// Records the echo traces predictive echo is tested against (app/renderer/src/terminal/testing/echoTraces.ts):
// real programs (bash, vim, fish, tmux, an Ink-style input box) in a pty of 80×24, each key sent on its own and
// everything the program wrote in answer kept until it was quiet. Replays add the network's delay.
//
//   node scripts/record-echo-traces.mjs > app/renderer/src/terminal/testing/echoTraces.ts
//
// With --input-box [--real-cursor] it is instead the input box program itself: it draws the way Ink draws Claude
// Code's prompt (the whole frame erased and drawn again on every key, the terminal's cursor hidden below it, the
// caret an inverse-video cell), or with --real-cursor the way Codex's composer does (the real cursor put at the
// caret after each frame). Claude Code itself cannot run here; this is its drawing, not its code.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.argv.includes('--input-box')) inputBox(process.argv.includes('--real-cursor'));
else await recordAll();

function inputBox(realCursor) {
  const cols = process.stdout.columns || 80;
  const inner = cols - 6;
  let text = '';
  let caret = 0;
  let previousLines = 0;
  let caretUp = 0;
  const out = (s) => process.stdout.write(s);
  const frame = () => {
    const lines = [`╭${'─'.repeat(cols - 2)}╮`];
    const chunks = [];
    for (let i = 0; i <= text.length; i += inner) chunks.push(i);
    if (text.length > 0 && text.length % inner === 0 && caret < text.length) chunks.pop();
    let caretLine = 0;
    chunks.forEach((start, n) => {
      let body = '';
      for (let i = start; i < start + inner; i++) {
        const ch = text[i] ?? ' ';
        if (i === caret && !realCursor) body += `\x1b[7m${ch}\x1b[27m`;
        else body += ch;
        if (i === caret) caretLine = n;
      }
      lines.push(`│ ${n === 0 ? '>' : ' '} ${body} │`);
    });
    lines.push(`╰${'─'.repeat(cols - 2)}╯`, '  \x1b[2m? for shortcuts\x1b[22m');
    return { lines, caretLine, caretCol: 4 + (caret % inner) };
  };
  const eraseLines = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '\x1b[2K' + (i < n - 1 ? '\x1b[1A' : '');
    return n ? s + '\x1b[G' : '';
  };
  const render = (before = '') => {
    const { lines, caretLine, caretCol } = frame();
    let s = '';
    if (realCursor && caretUp) s += `\x1b[?25l\x1b[${caretUp}B\r`;
    s += eraseLines(previousLines) + before + lines.join('\n') + '\n';
    previousLines = lines.length + 1;
    if (realCursor) {
      caretUp = lines.length - 1 - caretLine;
      s += `\x1b[${caretUp}A\x1b[${caretCol + 1}G\x1b[?25h`;
    }
    out(s);
  };
  process.stdin.setRawMode(true);
  out('\x1b[?25l');
  render();
  process.stdin.on('data', (buf) => {
    const key = buf.toString('utf8');
    if (key === '\x03') {
      out('\x1b[?25h\n');
      process.exit(0);
    } else if (key === '\r') {
      const sent = text;
      text = '';
      caret = 0;
      render(`> ${sent}\n● ok\n\n`);
    } else if (key === '\x7f') {
      if (caret > 0) {
        text = text.slice(0, caret - 1) + text.slice(caret);
        caret--;
        render();
      }
    } else if (key === '\x1b[D') {
      if (caret > 0) caret--;
      render();
    } else if (key === '\x1b[C') {
      if (caret < text.length) caret++;
      render();
    } else if (!key.startsWith('\x1b') && key >= ' ') {
      text = text.slice(0, caret) + key + text.slice(caret);
      caret += key.length;
      render();
    }
  });
}

async function recordAll() {
  const home = mkdtempSync(join(tmpdir(), 'holdfast-echo-'));
  const work = join(home, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'notes.txt'), 'hello\n');
  writeFileSync(join(home, 'tmux.conf'), 'set -g status off\n');
  mkdirSync(join(home, '.local/share/fish'), { recursive: true });
  writeFileSync(join(home, '.local/share/fish/fish_history'), '- cmd: echo hello world\n  when: 1700000000\n');
  mkdirSync(join(home, '.config/fish'), { recursive: true });
  writeFileSync(join(home, '.config/fish/config.fish'), 'set -g fish_greeting\nset -g fish_color_autosuggestion brblack\nfunction fish_prompt; echo -n "> "; end\nfunction fish_right_prompt; end\n');
  const self = new URL(import.meta.url).pathname;
  const bash = 'bash --norc --noprofile';
  const keys = (s) => [...s];
  const LEFT = '\x1b[D';
  const RIGHT = '\x1b[C';
  const BS = '\x7f';
  const traces = [];
  try {
    traces.push(
      await record('bashLs', 'bash 5.2 (readline), PS1="$ ": `ls -la`, Enter', bash, home, work, [...keys('ls -la'), '\r']),
      await record('bashEdit', 'bash 5.2: typing, then backspace and left/right in the middle of the line', bash, home, work, [
        ...keys('echo hllo'),
        LEFT,
        LEFT,
        LEFT,
        'e',
        RIGHT,
        RIGHT,
        RIGHT,
        ...keys(' wrld'),
        LEFT,
        LEFT,
        LEFT,
        'o',
        RIGHT,
        RIGHT,
        RIGHT,
        '!',
        BS,
        '?',
        LEFT,
        BS,
        BS,
        '\r',
      ]),
      await record('bashUpper', 'bash 5.2 after `stty olcuc`: the tty echoes every letter upper-cased', `stty olcuc; exec ${bash}`, home, work, [...keys('echo hi there'), '\r']),
      await record('bashUpperLate', 'bash 5.2 after `stty olcuc`: digits echo as typed, then letters come back upper-cased', `stty olcuc; exec ${bash}`, home, work, [...keys('12 34 ab 56'), '\r']),
      await record('bashPassword', 'bash 5.2: `read -s -p "Password: "` (no echo), then a command', bash, home, work, [
        ...keys('read -s -p "Password: " pw; echo'),
        '\r',
        ...keys('hunter2'),
        '\r',
        ...keys('echo ok'),
        '\r',
      ]),
      await record('bashWrap', 'bash 5.2: a command longer than the 80 columns', bash, home, work, [...keys(`echo ${'abcdefghij'.repeat(9)}`), '\r']),
      await record('bashBoundaries', 'bash 5.2: Tab completion, Ctrl-C, Up (history), Enter', bash, home, work, [
        ...keys('cat no'),
        '\t',
        ...keys(' xy'),
        '\x03',
        ...keys('echo one'),
        '\r',
        '\x1b[A',
        ...keys(' two'),
        '\r',
      ]),
      await record('vimInsert', 'vim 9.0 -u NONE: i, a sentence, Esc, :q!', 'exec vim -u NONE -N -i NONE', home, work, [
        'i',
        ...keys('hello world from vim'),
        '\x1b',
        ...keys(':q!'),
        '\r',
      ]),
      await record('fishSuggest', 'fish 3.6 with `echo hello world` in its history: grey autosuggestions after the caret', 'exec fish --no-config -C "source ~/.config/fish/config.fish"', home, work, [...keys('echo hi'), BS, BS, ...keys('hello'), '\r']),
      await record('tmuxClassic', 'bash 5.2 inside `tmux attach` (tmux 3.3a, status off): what a classic attach shows', `exec tmux -L holdfast-echo-trace -f ${home}/tmux.conf new-session "${bash}"`, home, work, [...keys('echo hello world'), '\r', ...keys('exit'), '\r']),
      await record('inputBoxInk', 'an input box drawn as Ink draws Claude Code\'s prompt: frame redrawn per key, cursor hidden, inverse caret', `exec node ${self} --input-box`, home, work, [
        ...keys('fix the tests'),
        LEFT,
        LEFT,
        LEFT,
        LEFT,
        LEFT,
        BS,
        ...keys('all '),
        RIGHT,
        RIGHT,
        RIGHT,
        RIGHT,
        RIGHT,
        ...keys(' please'),
        '\r',
        ...keys('and a line long enough to wrap inside the box, which is seventy-four columns wide'),
        '\x03',
      ]),
      await record('inputBoxCodex', 'the same input box drawn as Codex draws its composer: the real cursor at the caret', `exec node ${self} --input-box --real-cursor`, home, work, [...keys('fix the tests'), LEFT, LEFT, BS, ...keys('se'), '\r', '\x03']),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const body = traces
    .map(
      (t) =>
        `  ${t.name}: {\n    program: ${JSON.stringify(t.program)},\n    cols: 80,\n    rows: 24,\n    setup: ${JSON.stringify(t.setup)},\n    steps: [\n${t.steps
          .map((s) => `      { key: ${JSON.stringify(s.key)}, echo: ${JSON.stringify(s.echo)} },`)
          .join('\n')}\n    ],\n  },`,
    )
    .join('\n');
  process.stdout.write(
    `// Recorded by scripts/record-echo-traces.mjs: real programs in a pty of 80×24, each key sent on its own and what the\n` +
      `// program wrote in answer kept until it was quiet. Regenerate with that script; do not edit by hand.\n` +
      `\n` +
      `export interface IEchoStep {\n  /** What the user typed (xterm.js onData). */\n  readonly key: string;\n  /** Everything the program wrote in answer, before the next key. */\n  readonly echo: string;\n}\n\n` +
      `export interface IEchoTrace {\n  /** What ran, and what was typed. */\n  readonly program: string;\n  readonly cols: number;\n  readonly rows: number;\n  /** What the program drew before the first key. */\n  readonly setup: string;\n  readonly steps: readonly IEchoStep[];\n}\n\n` +
      `export const ECHO_TRACES = {\n${body}\n} satisfies Record<string, IEchoTrace>;\n`,
  );
}

async function record(name, program, command, home, cwd, keys) {
  const env = { TERM: 'xterm-256color', HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', PS1: '$ ', XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') };
  const child = spawn('script', ['-qfec', `stty cols 80 rows 24; ${command}`, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const decoder = new TextDecoder();
  let pending = '';
  let lastAt = Date.now();
  child.stdout.on('data', (data) => {
    pending += decoder.decode(data, { stream: true });
    lastAt = Date.now();
  });
  const quiet = async (ms, max) => {
    const start = Date.now();
    await sleep(ms);
    while (Date.now() - lastAt < ms && Date.now() - start < max) await sleep(20);
    const text = pending;
    pending = '';
    return text;
  };
  const setup = await quiet(800, 5000);
  const steps = [];
  for (const key of keys) {
    child.stdin.write(key);
    steps.push({ key, echo: await quiet(250, 3000) });
  }
  // `script` outlives SIGHUP; killed, it closes the pty and the program in it gets its hangup.
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  if (name === 'tmuxClassic') spawn('tmux', ['-L', 'holdfast-echo-trace', 'kill-server'], { stdio: 'ignore' });
  process.stderr.write(`recorded ${name}: ${steps.length} keys\n`);
  return { name, program, setup, steps };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
