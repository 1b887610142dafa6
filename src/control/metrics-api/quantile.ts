// A quantile from histogram bucket counts, the way Prometheus' histogram_quantile computes it:
// find the bucket holding the rank and interpolate linearly inside it.

export interface Bucket {
  /** Upper bound (`le`); Infinity for the +Inf bucket. */
  le: number;
  /** Cumulative count of observations <= le. */
  count: number;
}

/** undefined when there are no observations. */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0 || sorted.at(-1)?.le !== Infinity) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of sorted) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer with the largest finite one, as Prometheus does.
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + (le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
