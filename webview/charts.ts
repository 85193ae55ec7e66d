// chart.js, with only the parts the view uses registered (bundled: nothing loads from a CDN): the
// divergence heatmap (chartjs-chart-matrix) and the optimizer benchmark's charts.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from "chart.js";
import { MatrixController, MatrixElement } from "chartjs-chart-matrix";
import type { Theme } from "./theme";

Chart.register(
  MatrixController,
  MatrixElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  Filler,
  Tooltip,
  Legend,
);

/** Global chart defaults from the theme; call before (re)creating charts. */
export function applyChartTheme(t: Theme): void {
  Chart.defaults.color = t.muted;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = t.font;
  Chart.defaults.font.size = Math.max(10, Math.round(t.fontSize * 0.85));
  Chart.defaults.animation = false;
  Chart.defaults.plugins.tooltip.backgroundColor = t.dark ? "rgba(37,37,38,0.96)" : "rgba(255,255,255,0.97)";
  Chart.defaults.plugins.tooltip.titleColor = t.fg;
  Chart.defaults.plugins.tooltip.bodyColor = t.fg;
  Chart.defaults.plugins.tooltip.borderColor = t.border;
  Chart.defaults.plugins.tooltip.borderWidth = 1;
  Chart.defaults.plugins.tooltip.cornerRadius = 3;
  Chart.defaults.plugins.tooltip.padding = 8;
  Chart.defaults.plugins.tooltip.displayColors = false;
}

export { Chart };
