import { describe, expect, it, vi } from 'vitest';
import { DisposableStore, Emitter, MutableDisposable, toDisposable } from './lifecycle';

describe('lifecycle', () => {
  it('a disposable runs its teardown once however often it is disposed', () => {
    const fn = vi.fn();
    const d = toDisposable(fn);
    d.dispose();
    d.dispose();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('a store disposes everything added to it, and disposes at once what is added after it died', () => {
    const store = new DisposableStore();
    const a = vi.fn();
    store.add(toDisposable(a));
    store.dispose();
    expect(a).toHaveBeenCalledTimes(1);
    const late = vi.fn();
    store.add(toDisposable(late));
    expect(late).toHaveBeenCalledTimes(1);
    expect(store.size).toBe(0);
  });

  it('a mutable disposable disposes the old value when replaced', () => {
    const holder = new MutableDisposable();
    const first = vi.fn();
    const second = vi.fn();
    holder.value = toDisposable(first);
    holder.value = toDisposable(second);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    holder.dispose();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('an emitter counts listeners and forgets each one when its subscription is disposed', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const sub = emitter.event((n) => seen.push(n));
    emitter.event((n) => seen.push(n * 10)).dispose();
    expect(emitter.listenerCount).toBe(1);
    emitter.fire(2);
    sub.dispose();
    emitter.fire(3);
    expect(seen).toEqual([2]);
    expect(emitter.listenerCount).toBe(0);
  });

  it('a throwing listener does not keep the event from the others', async () => {
    const emitter = new Emitter<void>();
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    const after = vi.fn();
    emitter.event(() => {
      throw new Error('boom');
    });
    emitter.event(after);
    emitter.fire();
    await new Promise((r) => setTimeout(r, 0));
    process.off('uncaughtException', onError);
    expect(after).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(1);
  });
});
