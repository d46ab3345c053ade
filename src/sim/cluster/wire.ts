/**
 * Messages on one host's link in one direction (docs/model.md, "Network latency"), in the order
 * they were sent: each with the time it arrives and two numbers of its own (a request: its
 * demand and its slot; a response: its response time). A link has one latency, so messages
 * arrive in the order they were sent and a first-in first-out queue is all it needs.
 *
 * The queue holds only what is on the wire: the cluster takes off every message that has
 * arrived whenever it brings the host up, so it stays as long as the messages sent within one
 * latency, however long the run.
 */
export class Wire {
  private at: number[] = [];
  private a: number[] = [];
  private b: number[] = [];
  private head = 0;

  get length(): number {
    return this.at.length - this.head;
  }

  /** When the first message on the wire arrives (Infinity when there is none). */
  get nextNs(): number {
    return this.head < this.at.length ? this.at[this.head]! : Infinity;
  }

  /** The first message's own numbers. */
  get firstA(): number {
    return this.a[this.head]!;
  }

  get firstB(): number {
    return this.b[this.head]!;
  }

  /** A message arriving at `atNs` (no earlier than the last one sent). */
  send(atNs: number, a: number, b: number): void {
    this.at.push(atNs);
    this.a.push(a);
    this.b.push(b);
  }

  /** The first message has arrived: off the wire. */
  shift(): void {
    this.head++;
    // Drop the arrived part now and then, so the arrays stay as long as what is on the wire.
    if (this.head >= 1024 && this.head * 2 >= this.at.length) {
      this.at = this.at.slice(this.head);
      this.a = this.a.slice(this.head);
      this.b = this.b.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything on the wire is lost (its host went down). */
  clear(): void {
    this.at = [];
    this.a = [];
    this.b = [];
    this.head = 0;
  }
}
