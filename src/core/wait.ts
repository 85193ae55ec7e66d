// A wait in words, for the engine's messages ("the server asked to wait 5 min …") and the view's
// banners ("server asked to wait 5 min"): one rule, so both say the same. Pure.

/** A wait in words: "800 ms", "45 s", "60 min", "2 h", "3 days". */
export function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
