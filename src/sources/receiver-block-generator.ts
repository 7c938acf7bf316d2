/** One block of received records: the unit a receiver hands to a batch (one partition). */
export interface ReceivedBlock<T> {
  /** Sequence number of the block within its receiver, from 0. */
  readonly blockId: number;
  readonly records: readonly T[];
}

/**
 * The bounded store between a receiver and its batches. Stored records collect in an open block;
 * `cutBlock()` closes it (the block timer does this every block interval, and every allocation
 * does it at batch time); `allocateBlocks()` hands every complete block, in order, to a batch.
 *
 * Spark splits this between the receiver's `BlockGenerator` and the driver's
 * `ReceivedBlockTracker`; in one process they share one buffer, so the bound can count every
 * record stored but not yet allocated to a batch, wherever it sits.
 */
export class BlockGenerator<T> {
  private openBlock: T[] = [];
  private completeBlocks: ReceivedBlock<T>[] = [];
  private buffered = 0;
  private nextBlockId = 0;
  private roomWaiters: (() => void)[] = [];

  constructor(readonly maxBufferedRecords: number) {}

  /** Records stored but not yet allocated to a batch (open block included). */
  get bufferedRecords(): number {
    return this.buffered;
  }

  get hasRoom(): boolean {
    return this.buffered < this.maxBufferedRecords;
  }

  /** Stores `record` in the open block; false (and nothing stored) when the buffer is full. */
  tryAdd(record: T): boolean {
    if (!this.hasRoom) return false;
    this.openBlock.push(record);
    this.buffered++;
    return true;
  }

  /** Closes the open block, if it holds anything; empty blocks are never made. */
  cutBlock(): void {
    if (this.openBlock.length === 0) return;
    this.completeBlocks.push({ blockId: this.nextBlockId++, records: this.openBlock });
    this.openBlock = [];
  }

  /**
   * Cuts the open block, then removes and returns every complete block, oldest first; their
   * records no longer count against the bound, so waiters for room wake up.
   */
  allocateBlocks(): ReceivedBlock<T>[] {
    this.cutBlock();
    const blocks = this.completeBlocks;
    this.completeBlocks = [];
    for (const block of blocks) this.buffered -= block.records.length;
    if (blocks.length > 0) this.wakeRoomWaiters();
    return blocks;
  }

  /** Resolves once the buffer has room for a record (at once if it has), or on `wakeRoomWaiters`. */
  whenRoom(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Wakes everybody waiting for room (after an allocation, or so a stopping puller can exit). */
  wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
