/**
 * A mocked SQS client (no SQS can run here) that records each command it is sent and answers
 * with what the test scripted for that command's name, or an empty answer.
 */
export interface RecordedCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

type Answer = (input: Record<string, unknown>) => unknown;

export class RecordingSqsClient {
  readonly commands: RecordedCommand[] = [];
  constructor(private readonly answers: Record<string, Answer> = {}) {}

  async send(command: { constructor: { name: string }; input: object }): Promise<never> {
    const name = command.constructor.name.replace(/Command$/, '');
    const input = command.input as Record<string, unknown>;
    this.commands.push({ name, input });
    const answer = this.answers[name];
    return (answer ? await answer(input) : { $metadata: {} }) as never;
  }

  /** The inputs of the commands of one name, in the order sent. */
  inputs(name: string): Record<string, unknown>[] {
    return this.commands.filter((c) => c.name === name).map((c) => c.input);
  }
}
