/** Promise.allSettled over `xs` with at most `limit` calls of `f` running at once (results in input order). */
export async function settleLimited<S, T>(
  xs: readonly S[],
  limit: number,
  f: (s: S, i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await f(xs[i], i) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}
