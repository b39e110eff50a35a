/**
 * Local debugging of the cloud worker (what SAM local did for the old roadmap): the Lambda
 * handler run in this process on an event file, against the source and lake this command is
 * given (--source/--lake or the configuration; s3:// through AWS_ENDPOINT_URL or a profile, or
 * local folders), as the function runs against its environment's. The messages name only ids.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import type { Logger } from 'pino';
import { UserError } from '../errors/user-error.js';
import type { Deployment } from '../runtime/lambda/deployment.js';
import { createHandler, type EventlakeEvent } from '../runtime/lambda/lambda-handler.js';

/** Lambda's longest timeout: a local invocation is given as long. */
const LOCAL_TIMEOUT_MS = 15 * 60 * 1000;

function localContext(): Context {
  const deadline = Date.now() + LOCAL_TIMEOUT_MS;
  const requestId = `local-${randomUUID()}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'eventlake-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:eventlake-local',
    memoryLimitInMB: '3008',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: requestId,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function readEventFile(path: string): Promise<EventlakeEvent> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UserError(err.code === 'ENOENT' ? `event file ${path} does not exist` : `cannot read event file ${path} (${err.code ?? err.message})`);
  });
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw new UserError(`event file ${path} is not JSON`);
  }
  const records = (event as { Records?: unknown }).Records;
  const fanOut = (event as { eventlake?: unknown }).eventlake === 'fanout';
  if (!fanOut && !Array.isArray(records)) {
    throw new UserError(`event file ${path} is neither an SQS event (with Records) nor a fan-out event ({"eventlake":"fanout","hour":…})`);
  }
  return event as EventlakeEvent;
}

export async function invokeLambdaLocally(eventFile: string, log: Logger, deployment: Deployment): Promise<unknown> {
  const event = await readEventFile(eventFile);
  const handler = createHandler(log, { deployment: () => Promise.resolve(deployment) });
  try {
    return await handler(event, localContext());
  } catch (err) {
    // Powertools throws when every record failed: the records' own errors are in the log.
    throw new UserError(`the handler failed: ${(err as Error).message.split('\n')[0] ?? 'unknown error'}`);
  }
}
