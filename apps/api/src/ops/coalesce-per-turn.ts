/**
 * Lookups of the same key asked for within one turn of the event loop share one call, made at the
 * end of that turn: after every caller asked, so each gets an answer at least as new as the call
 * it would have made itself. A burst of streams opening together (dashboards reconnecting after a
 * deploy) then reads its company's newest event id once, not once per stream.
 */
export const coalescePerTurn = <T>(lookup: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
  let batch: Map<string, Promise<T>> | undefined;
  const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  return (key) => {
    if (!batch) {
      const current = new Map<string, Promise<T>>();
      batch = current;
      setImmediate(() => {
        if (batch === current) batch = undefined;
      });
    }
    let answer = batch.get(key);
    if (!answer) {
      answer = endOfTurn().then(() => lookup(key));
      batch.set(key, answer);
    }
    return answer;
  };
};
