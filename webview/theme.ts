// Colours for the canvases, read from the page's CSS at render time: the stylesheet maps the
// VS Code theme variables (--vscode-*) to --hm-* with light defaults, so the charts follow
// whatever theme the page is in. Canvas colours cannot be CSS variables, hence this module.

export type Rgba = [number, number, number, number];

export interface Theme {
  dark: boolean;
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  border: string;
  font: string;
  fontSize: number;
  red: string;
  green: string;
  blue: string;
  orange: string;
  yellow: string;
  purple: string;
  fork: string;
  focus: string;
  /** Heatmap scale stops: consensus, middle, total divergence. */
  heat0: Rgba;
  heat1: Rgba;
  heat2: Rgba;
  gap: string;
  gapLine: string;
  classColour: (slot: string) => string;
}

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour to RGBA, through the canvas's own parser. */
export function toRgba(css: string): Rgba {
  probe ??= document.createElement("canvas").getContext("2d");
  if (!probe) return [0, 0, 0, 1];
  probe.fillStyle = "#000";
  probe.fillStyle = css.trim() || "#000";
  const v = String(probe.fillStyle);
  if (v.startsWith("#")) {
    const n = parseInt(v.slice(1, 7), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const m = v.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 1];
  return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1];
}

export const css = ([r, g, b, a]: Rgba): string => `rgba(${Math.round(r)},${Math.round(g)},${Math.round(b)},${+a.toFixed(3)})`;

/** a·(1−t) + b·t, alpha included. */
export function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t, a[3] + (b[3] - a[3]) * t];
}

/** An opaque colour as seen over the background with opacity a. */
export function over(bg: Rgba, c: Rgba, a: number): Rgba {
  return mix([bg[0], bg[1], bg[2], 1], [c[0], c[1], c[2], 1], a);
}

export function luminance([r, g, b]: Rgba): number {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

export function readTheme(el: Element = document.body): Theme {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const bg = v("--hm-bg", "#ffffff");
  const fg = v("--hm-fg", "#1f1f1f");
  const bgC = toRgba(bg);
  const fgC = toRgba(fg);
  const dark = luminance(bgC) < 0.45;
  const t = {
    red: v("--hm-red", "#e51400"),
    green: v("--hm-green", "#388a34"),
    blue: v("--hm-blue", "#1a85ff"),
    orange: v("--hm-orange", "#d18616"),
    yellow: v("--hm-yellow", "#bf8803"),
    purple: v("--hm-purple", "#652d90"),
  };
  const palette = [t.red, t.orange, t.purple, t.blue, t.yellow];
  const neutral = [t.blue, t.orange, t.purple, t.yellow, t.green];
  const other = css(over(bgC, fgC, 0.35));
  return {
    dark,
    bg,
    fg,
    muted: v("--hm-muted", "#717171"),
    grid: css(over(bgC, fgC, 0.12)),
    border: v("--hm-border", "#e5e5e5"),
    font: v("--hm-font", "system-ui, sans-serif"),
    fontSize: parseFloat(v("--hm-font-size", "13px")) || 13,
    ...t,
    fork: v("--hm-fork", t.purple),
    focus: v("--hm-focus", "#0090f1"),
    heat0: over(bgC, toRgba(t.blue), dark ? 0.3 : 0.22),
    heat1: over(bgC, toRgba(t.yellow), dark ? 0.75 : 0.7),
    heat2: over(bgC, toRgba(t.red), dark ? 0.95 : 0.9),
    gap: css(over(bgC, fgC, dark ? 0.06 : 0.04)),
    gapLine: css(over(bgC, fgC, dark ? 0.3 : 0.25)),
    classColour: (slot: string) =>
      slot === "ref"
        ? t.green
        : slot.startsWith("u")
          ? (neutral[Number(slot.slice(1))] ?? other)
          : (palette[Number(slot)] ?? other),
  };
}

/** The heatmap colour of a divergence in [0, 1]. */
export function heatColour(theme: Theme, d: number): string {
  const x = Math.min(1, Math.max(0, d));
  return css(x <= 0.5 ? mix(theme.heat0, theme.heat1, x * 2) : mix(theme.heat1, theme.heat2, (x - 0.5) * 2));
}
