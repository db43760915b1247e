// The page a device opens from the pairing link: it names itself ("Pixel", "iPad") and pairs, once. Plain HTML with
// no script (the content security policy allows none inline), styled like the app.
import type { IncomingMessage } from 'node:http';

const STYLE = `body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#16181d;color:#d7dae0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{width:min(420px,100vw - 32px);padding:24px;margin:16px;background:#22262e;border:1px solid #3a404c;border-radius:12px;box-sizing:border-box}
h1{font-size:20px;margin:0 0 10px}p{margin:8px 0}label{display:block;margin:16px 0 6px;font-weight:600}
input{width:100%;box-sizing:border-box;font:inherit;padding:12px;border-radius:8px;border:1px solid #3a404c;background:#16181d;color:inherit}
button,a.button{display:block;width:100%;box-sizing:border-box;margin-top:16px;padding:14px;border:0;border-radius:8px;background:#2f6fde;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none}
.muted{color:#a3aab6;font-size:14px}
@media (prefers-color-scheme:light){body{background:#f4f4f2;color:#22252b}main{background:#fff;border-color:#d3d6d1}input{background:#fff;border-color:#c8ccd2}.muted{color:#5d6470}}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light"><title>${title}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The form for a valid code; for a used or expired one, what to do instead. */
export function pairPage(code: string | undefined): string {
  if (code === undefined) {
    return page(
      'Holdfast: pairing link expired',
      `<h1>This pairing link does not work any more</h1><p>A pairing link works once, for a few minutes.</p><p class="muted">On the computer, open <b>Pair a device</b> in Holdfast and show a new code.</p>`,
    );
  }
  return page(
    'Holdfast: pair this device',
    `<h1>Pair this device with Holdfast</h1><p class="muted">It will see your tmux sessions through this computer. Nothing is installed on your servers.</p>
<form method="post" action="/pair"><input type="hidden" name="code" value="${escapeHtml(code)}">
<label for="name">Name this device</label><input id="name" name="name" required maxlength="60" placeholder="Pixel, iPad…" autocomplete="off" autofocus>
<button type="submit">Pair</button></form>`,
  );
}

export function pairedPage(name: string, token: string): string {
  return page(
    'Holdfast: paired',
    `<h1>Paired as “${escapeHtml(name)}”</h1><p class="muted">The computer lists it under Devices, where Revoke ends its access.</p><a class="button" href="/#device=${encodeURIComponent(token)}">Open Holdfast</a>`,
  );
}

/** An urlencoded form body, up to `limit` bytes. */
export function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
