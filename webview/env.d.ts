// Ambient declarations for the webview bundle.

/** esbuild bundles the imported stylesheet into dist/webview.css. */
declare module "*.css";

/** Present only inside a VS Code webview. */
declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};
