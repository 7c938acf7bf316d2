import { DeadLetterNode, DeadLetterSink } from './dead-letters.js';
import { ConfigurationError, StateError } from './errors.js';
import type { InputDStreamNode } from './input.js';
import type { StatefulComponent, StreamNode } from './node.js';
import { OutputOperation, type OutputFunction } from './output.js';

/**
 * The stream graph of one context: every node, the inputs that feed it, the output operations
 * that drain it, and the state its stateful operators and models keep, keyed by operator name
 * (the key under which checkpoints save and restore it).
 */
export class DStreamGraph {
  /** Time origin of batch times: batch k runs at `zeroTime + k * batchIntervalMs`, k >= 1. */
  zeroTime = 0;
  private readonly nodes: StreamNode<unknown>[] = [];
  private readonly inputNodes: InputDStreamNode<unknown>[] = [];
  private readonly outputOperations: OutputOperation<unknown>[] = [];
  private readonly extraStateComponents = new Map<string, StatefulComponent>();
  private stateComponentsByName = new Map<string, StatefulComponent>();
  private statefulNodes: StreamNode<unknown>[] = [];
  private deadLetterNode: DeadLetterNode | undefined;
  private jobOrder: OutputOperation<unknown>[] = [];
  private isStarted = false;
  readonly deadLetterSink = new DeadLetterSink();

  constructor(readonly batchIntervalMs: number) {}

  get inputs(): readonly InputDStreamNode<unknown>[] {
    return this.inputNodes;
  }

  get outputs(): readonly OutputOperation<unknown>[] {
    return this.outputOperations;
  }

  get started(): boolean {
    return this.isStarted;
  }

  assertNotStarted(action: string): void {
    if (this.isStarted) {
      throw new StateError(
        `cannot ${action} after the StreamingContext has started: build the whole graph before start()`,
      );
    }
  }

  registerNode(node: StreamNode<unknown>): number {
    this.assertNotStarted(`add operator "${node.kind}"`);
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  registerInput(input: InputDStreamNode<unknown>): void {
    this.inputNodes.push(input);
  }

  addOutput<T>(
    node: StreamNode<T>,
    kind: string,
    run: OutputFunction<T>,
    name?: string,
  ): OutputOperation<T> {
    this.assertNotStarted(`add output operation "${name ?? kind}"`);
    const id = this.outputOperations.length;
    const output = new OutputOperation(id, name ?? `${kind}-${id}`, node, run);
    this.outputOperations.push(output as OutputOperation<unknown>);
    return output;
  }

  /**
   * Registers state kept outside a stream node (a model trained by `trainOn`) under `name`, so
   * checkpoints save it beside the operators' state.
   */
  registerState(name: string, component: StatefulComponent): void {
    this.assertNotStarted(`register state "${name}"`);
    if (this.extraStateComponents.has(name)) {
      throw new ConfigurationError(
        `state name "${name}" is already registered; give each stateful operator or model a unique name`,
      );
    }
    this.extraStateComponents.set(name, component);
  }

  /** The dead-letter stream's node, created on first request. */
  getDeadLetterNode(): DeadLetterNode {
    this.deadLetterNode ??= new DeadLetterNode(this);
    return this.deadLetterNode;
  }

  /** Freezes the graph: checks names, works out how long each node remembers its batches. */
  start(zeroTime: number): void {
    this.assertNotStarted('start the graph');
    if (this.outputOperations.length === 0) {
      throw new ConfigurationError(
        'the graph has no output operations: add foreachBatch, print, trainOn or another output before start()',
      );
    }
    this.zeroTime = zeroTime;
    this.stateComponentsByName = new Map(this.extraStateComponents);
    this.statefulNodes = [];
    for (const node of this.nodes) {
      const component = node.stateComponent();
      if (node.isStateful) this.statefulNodes.push(node);
      if (component === undefined) continue;
      if (this.stateComponentsByName.has(node.name)) {
        throw new ConfigurationError(
          `two stateful operators are named "${node.name}"; names key checkpointed state and must be unique`,
        );
      }
      this.stateComponentsByName.set(node.name, component);
    }
    for (const output of this.outputOperations) output.node.remember(output.node.slideMs);
    for (const node of this.statefulNodes) node.remember(node.slideMs);
    this.jobOrder = this.orderJobs();
    this.isStarted = true;
  }

  /** Stateful components by operator name, for checkpoints. */
  get stateComponents(): ReadonlyMap<string, StatefulComponent> {
    return this.stateComponentsByName;
  }

  /** Stateful nodes due at `time`: computed every batch even when no output reads them then. */
  statefulNodesDueAt(time: number): StreamNode<unknown>[] {
    return this.statefulNodes.filter((node) => node.isTimeValid(time));
  }

  /** The jobs of the batch at `time`, in the order fixed at start (see `orderJobs`). */
  jobsAt(time: number): OutputOperation<unknown>[] {
    return this.jobOrder.filter((output) => output.isDue(time));
  }

  /**
   * Registration order, except that jobs reading the dead-letter stream run last so they see
   * every letter the batch's other jobs produced. Worked out once: the graph is frozen at start.
   */
  private orderJobs(): OutputOperation<unknown>[] {
    const letterNode = this.deadLetterNode;
    if (letterNode === undefined) return [...this.outputOperations];
    const readsLetters = new Set(
      this.outputOperations.filter((o) => o.node.dependsOn((node) => node === letterNode)),
    );
    return [...this.outputOperations.filter((o) => !readsLetters.has(o)), ...readsLetters];
  }

  clearOldBatches(time: number): void {
    for (const node of this.nodes) node.clearOldBatches(time);
  }
}
