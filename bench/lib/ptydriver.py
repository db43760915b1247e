"""Drives OpenSSH's client in a pty, as a user's terminal would, and times what the benchmark asks.

Usage: ptydriver.py '{"mode": ..., "argv": ["ssh", ...], ...}'; prints one JSON line.
Modes:
  first-byte  ms from exec until the first output byte (attach time)
  marker      settle, type `input`, ms until `marker` appears in the output (tmux throughput)
  echo        settle, type `keys` characters one at a time, each waits for its echo: latencies in ms
  ctrlc       settle, type `input` (a flood), after `floodMs` send Ctrl-C: ms until the output stops
              (the last byte before `quietMs` without output)
"""
import fcntl, json, os, pty, select, signal, struct, sys, termios, time

cfg = json.loads(sys.argv[1])
rows, cols = cfg.get("rows", 40), cfg.get("cols", 120)

t_exec = time.perf_counter()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(cfg["argv"][0], cfg["argv"])

now = time.perf_counter
def ms(a, b): return (b - a) * 1000.0

def read(timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r: return None
    try:
        return os.read(fd, 1 << 16)
    except OSError:
        return b""

def settle(quiet=0.5, limit=20.0):
    start = now(); last = None
    while now() - start < limit:
        d = read(0.05)
        if d == b"": raise SystemExit("ssh ended early")
        if d: last = now()
        elif last is not None and now() - last >= quiet: return
    raise SystemExit("no settle")

def write(b):
    os.write(fd, b)

result = {}
mode = cfg["mode"]
try:
    if mode == "first-byte":
        while True:
            d = read(30)
            if d is None or d == b"": raise SystemExit("no output")
            result["ms"] = ms(t_exec, now()); break
        settle(0.2)
    elif mode == "marker":
        settle()
        marker = cfg["marker"].encode()
        t0 = now(); write(cfg["input"].encode()); tail = b""; total = 0
        while True:
            d = read(120)
            if d is None or d == b"": raise SystemExit("marker never came")
            total += len(d)
            buf = tail + d
            if marker in buf:
                result["ms"] = ms(t0, now()); result["bytes"] = total; break
            tail = buf[-64:]
    elif mode == "echo":
        settle()
        keys = cfg["keys"]; alphabet = "abcdefghijklmnopqrstuvwxyz"; out = []
        for i in range(keys):
            if i and i % 50 == 0:
                write(b"\x15"); settle(0.1)
            ch = alphabet[i % 26].encode()
            t0 = now(); write(ch)
            while True:
                d = read(10)
                if d is None or d == b"": raise SystemExit("no echo")
                if ch in d: out.append(ms(t0, now())); break
        write(b"\x15")
        result["samples"] = out
    elif mode == "ctrlc":
        settle()
        write(cfg["input"].encode())
        start = now(); flowing = 0
        while now() - start < cfg["floodMs"] / 1000.0:
            d = read(0.05)
            if d: flowing += len(d)
        t0 = now(); write(b"\x03"); last = t0; after = 0
        quiet = cfg.get("quietMs", 1000) / 1000.0
        while True:
            d = read(quiet)
            if d is None: break
            if d == b"": break
            last = now(); after += len(d)
        result["ms"] = ms(t0, last); result["bytesAfter"] = after; result["bytesBefore"] = flowing
    else:
        raise SystemExit("unknown mode " + mode)
finally:
    try: os.kill(pid, signal.SIGTERM)
    except ProcessLookupError: pass
    try: os.waitpid(pid, 0)
    except ChildProcessError: pass

print(json.dumps(result))
