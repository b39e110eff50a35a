/** A counting limit on deliveries in flight: `take` waits for a free slot and answers its release. */
export class DeliverySlots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`delivery concurrency must be a whole number of at least 1 (got ${limit})`);
  }

  async take(): Promise<() => void> {
    if (this.used < this.limit) this.used++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiter, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    };
  }
}
