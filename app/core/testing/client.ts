// A view for tests of every layer above core: connects to core as a bridge would (HoldfastCore.connect), checks what
// it sends against the contract as a bridge does, records every event and every byte of pane output in one ordered
// log, and (by default) acknowledges output as a terminal does once it has parsed it and accepts host keys as a user
// clicking Accept would.
import {
  HoldfastError,
  parseCommandInput,
  parseEventPayload,
  parseNotification,
  parseStreamId,
  type ClientInfo,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
  type IClientConnection,
  type IHoldfastCore,
  type NotificationInput,
  type NotificationName,
} from '../../shared/contract';
import { Emitter, type IDisposable } from '../../shared/lifecycle';
import type { PaneInfo, PaneState } from '../../shared/model';
import type { PaneSize } from '../../shared/geometry';
import type { CoreEvent } from '../service';

export type Recorded =
  | { readonly seq: number; readonly kind: 'event'; readonly event: CoreEvent }
  | { readonly seq: number; readonly kind: 'data'; readonly paneId: string; readonly data: Uint8Array }
  | { readonly seq: number; readonly kind: 'size'; readonly paneId: string; readonly size: PaneSize };

export interface TestClientOptions {
  info?: ClientInfo;
  /** Acknowledge output (on the next microtask, as a terminal's write callback would), default true. */
  autoAck?: boolean;
  /** Answer host-key prompts with "Accept and remember", default true. */
  acceptHostKeys?: boolean;
}

export class TestClient implements IDisposable {
  readonly records: Recorded[] = [];
  readonly connection: IClientConnection;
  private readonly _onRecord = new Emitter<Recorded>();
  /** Every record as it is made. */
  readonly onRecord = this._onRecord.event;
  private _seq = 0;

  constructor(core: IHoldfastCore, options: TestClientOptions = {}) {
    const autoAck = options.autoAck ?? true;
    const acceptHostKeys = options.acceptHostKeys ?? true;
    this.connection = core.connect(
      {
        event: (name, payload) => {
          const event = { name, payload: parseEventPayload(name, payload) } as CoreEvent;
          this._record({ seq: this._seq++, kind: 'event', event });
          if (acceptHostKeys && event.name === 'prompt.show' && event.payload.kind === 'host-key') {
            const { promptId } = event.payload;
            void this.call('prompts.answer', { promptId, answer: { kind: 'host-key', remember: true } }).catch(() => {});
          }
        },
        paneData: (paneId, data) => {
          this._record({ seq: this._seq++, kind: 'data', paneId, data });
          // A stream of one tmux pane (`paneId/%5`) is acknowledged with its target.
          if (autoAck) queueMicrotask(() => this.notify('pane.ack', { ...parseStreamId(paneId), bytes: data.length }));
        },
        paneSize: (paneId, size) => this._record({ seq: this._seq++, kind: 'size', paneId, size }),
      },
      options.info ?? { kind: 'page', label: 'test' },
    );
  }

  /** The position the next record will have: "from now on" for `text` and friends. */
  get seq(): number {
    return this._seq;
  }

  /** Runs a command as a bridge would: input checked against the contract, failures thrown as HoldfastError. */
  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    try {
      return await this.connection.handle(name, parseCommandInput(name, input));
    } catch (err) {
      throw HoldfastError.from(err);
    }
  }

  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void {
    const parsed = parseNotification(name, input);
    if (!parsed) throw new Error(`Not a valid ${name}: ${JSON.stringify(input)}`);
    this.connection.notify(parsed.name, parsed.input as never);
  }

  /** Opens a pane and subscribes to its output, as a tab does. */
  async open(input: CommandInput<'panes.open'>): Promise<PaneInfo> {
    const info = await this.call('panes.open', input);
    this.subscribe(info.paneId);
    return info;
  }

  subscribe(paneId: string): void {
    this.connection.subscribePane(paneId);
  }

  unsubscribe(paneId: string): void {
    this.connection.unsubscribePane(paneId);
  }

  /** Keys to the pane (to one tmux pane of it, with `target`). */
  write(paneId: string, data: string, target?: string): void {
    this.notify('pane.input', { paneId, ...(target ? { target } : {}), data });
  }

  resize(paneId: string, cols: number, rows: number): void {
    this.notify('pane.resize', { paneId, cols, rows });
  }

  setVisible(paneId: string, visible: boolean): void {
    this.notify('pane.visible', { paneId, visible });
  }

  /** The pane's output from record `fromSeq` on, as text. */
  text(paneId: string, fromSeq = 0): string {
    return Buffer.concat(this.data(paneId, fromSeq)).toString('utf8');
  }

  /** The pane's output batches from record `fromSeq` on. */
  data(paneId: string, fromSeq = 0): Uint8Array[] {
    return this.records.flatMap((r) => (r.seq >= fromSeq && r.kind === 'data' && r.paneId === paneId ? [r.data] : []));
  }

  /** The sizes a tmux pane's stream was given, in order. */
  sizes(paneId: string, fromSeq = 0): PaneSize[] {
    return this.records.flatMap((r) => (r.seq >= fromSeq && r.kind === 'size' && r.paneId === paneId ? [r.size] : []));
  }

  /** Every event of this name, in order. */
  events<K extends EventName>(name: K): EventPayload<K>[] {
    return this.records.flatMap((r) => (r.kind === 'event' && r.event.name === name ? [r.event.payload as EventPayload<K>] : []));
  }

  paneStates(paneId: string): PaneState[] {
    return this.events('pane.state')
      .filter((e) => e.paneId === paneId)
      .map((e) => e.state);
  }

  dispose(): void {
    this.connection.dispose();
    this._onRecord.dispose();
  }

  private _record(record: Recorded): void {
    this.records.push(record);
    this._onRecord.fire(record);
  }
}
