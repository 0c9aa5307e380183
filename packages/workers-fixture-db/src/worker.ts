// The database fixture's run loop: open the process's shared pool, answer each ping with a
// database round trip, park until stopped.
import { EVENTS, subscribeEvent, untilAborted, type WorkerContext } from '@decnet/core';
import { getDatabase, pingDatabase } from '@decnet/db';

/** Runs until `ctx.signal` aborts. */
export async function runFixtureDb(ctx: WorkerContext): Promise<void> {
  const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal });
  if (ctx.signal.aborted) return;
  subscribeEvent(
    ctx.bus,
    EVENTS.fixturePing,
    async (event) => {
      const ok = await pingDatabase(database.pool);
      ctx.handled();
      await ctx.bus.publish(EVENTS.fixturePong.subject(ctx.name), {
        seq: event.payload.seq ?? null,
        instance: ctx.instanceId,
        db: ok,
      });
    },
    { log: ctx.log, pattern: EVENTS.fixturePing.subject(ctx.name) },
  );
  await untilAborted(ctx.signal);
}
