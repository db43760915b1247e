// `window.holdfast`, exposed by the Electron preload (app/preload). Absent in a browser, where the renderer
// speaks app/shared/wire.ts over a WebSocket to the web host instead.
//
// Note for the renderer: contextBridge drops custom properties of thrown Errors, so `window.holdfast.call`
// rejects with a plain HoldfastErrorData object ({ code, message, hint?, fields? }), not an Error;
// wrap it with `HoldfastError.from(err)`.
import type { IHoldfastApi } from './contract';

declare global {
  interface Window {
    holdfast?: IHoldfastApi;
  }
}

export {};
