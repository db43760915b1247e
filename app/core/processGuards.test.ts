import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installProcessGuards } from './processGuards';

describe('installProcessGuards', () => {
  it('logs an unhandled rejection with its stack instead of letting it end the process', () => {
    const proc = new EventEmitter();
    const logged: string[] = [];
    installProcessGuards(proc, (m) => logged.push(m), 'holdfast-web');
    // Node ends the process on an unhandled rejection only when nothing listens for it.
    expect(proc.listenerCount('unhandledRejection')).toBe(1);
    proc.emit('unhandledRejection', new TypeError('protocol._destruct is not a function'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^holdfast-web: an error was not handled; Holdfast keeps running: TypeError: protocol\._destruct/);
  });
});
